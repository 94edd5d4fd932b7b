/** Edge clients as delivery needs them: credentials hash, team, binding and web origins. */
import { clients, clientWebOrigins, type Executor, environments } from "@fluxgate/drizzle";
import { asc, eq, type SQL } from "drizzle-orm";

export interface ClientRecord {
  id: string;
  teamId: string;
  name: string;
  description: string;
  enabled: boolean;
  clientType: string;
  /** Bound environment, or null. */
  environmentId: string | null;
  environmentName: string;
  secretHash: string;
  webOrigins: string[];
}

/** The client with its origins, or null. */
export function findClient(executor: Executor, clientId: string): Promise<ClientRecord | null> {
  return findClientWhere(executor, eq(clients.id, clientId));
}

/** The client whose secret has this SHA-256 hex (`secret_hash` is unique), with its origins, or null. */
export function findClientBySecretHash(executor: Executor, secretHash: string): Promise<ClientRecord | null> {
  return findClientWhere(executor, eq(clients.secretHash, secretHash));
}

async function findClientWhere(executor: Executor, where: SQL): Promise<ClientRecord | null> {
  const [row] = await executor
    .select({ client: clients, environmentName: environments.name })
    .from(clients)
    .leftJoin(environments, eq(environments.id, clients.environmentId))
    .where(where);
  if (!row) return null;
  const origins = await executor
    .select({ origin: clientWebOrigins.origin })
    .from(clientWebOrigins)
    .where(eq(clientWebOrigins.clientId, row.client.id))
    .orderBy(asc(clientWebOrigins.origin));
  const c = row.client;
  return {
    id: c.id,
    teamId: c.teamId,
    name: c.name,
    description: c.description ?? "",
    enabled: c.enabled,
    clientType: c.clientType,
    environmentId: c.environmentId,
    environmentName: row.environmentName ?? "",
    secretHash: c.secretHash,
    webOrigins: origins.map((o) => o.origin),
  };
}
