/** Edge clients as delivery needs them: credentials hash, team, binding and web origins. */
import { clients, clientWebOrigins, type Executor, environments } from "@fluxgate/drizzle";
import { asc, eq } from "drizzle-orm";

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
export async function findClient(executor: Executor, clientId: string): Promise<ClientRecord | null> {
  const [row] = await executor
    .select({ client: clients, environmentName: environments.name })
    .from(clients)
    .leftJoin(environments, eq(environments.id, clients.environmentId))
    .where(eq(clients.id, clientId));
  if (!row) return null;
  const origins = await executor
    .select({ origin: clientWebOrigins.origin })
    .from(clientWebOrigins)
    .where(eq(clientWebOrigins.clientId, clientId))
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
