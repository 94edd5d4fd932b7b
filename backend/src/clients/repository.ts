/** The `clients` and `client_web_origins` tables. Rows leave here without `secretHash` unless asked for. */
import { clients, clientWebOrigins, type Executor } from "@fluxgate/drizzle";
import { and, asc, count, eq, ilike, inArray, type SQL } from "drizzle-orm";
import type { PageWindow } from "../environments/listing";
import { byName, prefixPattern } from "../environments/repository";

export type ClientRow = typeof clients.$inferSelect;
export type ClientType = "Web" | "Backend";
/** What may leave the service: never the secret's hash. */
export type ClientView = Omit<ClientRow, "secretHash"> & { webOrigins: string[] };

export async function findClient(
  ex: Executor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ClientRow | undefined> {
  const query = ex.select().from(clients).where(eq(clients.id, id)).limit(1);
  const [row] = options.lock ? await query.for("update") : await query;
  return row;
}

export interface ClientFilter {
  namePrefix?: string;
  enabled?: boolean;
  clientType?: ClientType;
}

function condition(teamIds: string[] | undefined, filter: ClientFilter): SQL | undefined {
  return and(
    teamIds === undefined ? undefined : inArray(clients.teamId, teamIds),
    filter.namePrefix === undefined ? undefined : ilike(clients.name, prefixPattern(filter.namePrefix)),
    filter.enabled === undefined ? undefined : eq(clients.enabled, filter.enabled),
    filter.clientType === undefined ? undefined : eq(clients.clientType, filter.clientType),
  );
}

/** A team's clients by name. */
export async function listClients(
  ex: Executor,
  teamId: string,
  filter: ClientFilter,
  window: PageWindow | undefined,
): Promise<{ rows: ClientRow[]; total: number }> {
  const where = condition([teamId], filter);
  const query = ex
    .select()
    .from(clients)
    .where(where)
    .orderBy(...byName(clients.name, clients.id));
  if (!window) {
    const rows = await query;
    return { rows, total: rows.length };
  }
  const rows = await query.limit(window.limit).offset(window.offset);
  const [{ total }] = await ex.select({ total: count() }).from(clients).where(where);
  return { rows, total };
}

/** Clients of `teamIds` (undefined = every team). */
export async function countClients(ex: Executor, teamIds: string[] | undefined, enabled?: boolean): Promise<number> {
  if (teamIds?.length === 0) return 0;
  const [{ total }] = await ex.select({ total: count() }).from(clients).where(condition(teamIds, { enabled }));
  return total;
}

/** The rows as views with their origins (one query for all of them). */
export async function views(ex: Executor, rows: ClientRow[]): Promise<ClientView[]> {
  if (rows.length === 0) return [];
  const origins = await ex
    .select({ clientId: clientWebOrigins.clientId, origin: clientWebOrigins.origin })
    .from(clientWebOrigins)
    .where(
      inArray(
        clientWebOrigins.clientId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(clientWebOrigins.origin));
  const byClient = new Map<string, string[]>(rows.map((r) => [r.id, []]));
  for (const o of origins) byClient.get(o.clientId)?.push(o.origin);
  return rows.map(({ secretHash: _, ...row }) => ({ ...row, webOrigins: byClient.get(row.id) ?? [] }));
}

export type NewClient = Pick<
  ClientRow,
  "teamId" | "name" | "description" | "enabled" | "clientType" | "environmentId" | "secretHash" | "secretPrefix"
>;

export async function insertClient(ex: Executor, client: NewClient): Promise<ClientRow> {
  const [row] = await ex.insert(clients).values(client).returning();
  return row;
}

export async function updateClient(
  ex: Executor,
  id: string,
  changes: Partial<
    Pick<
      ClientRow,
      | "name"
      | "description"
      | "enabled"
      | "clientType"
      | "environmentId"
      | "secretHash"
      | "secretPrefix"
      | "secretRotatedAt"
    >
  >,
): Promise<ClientRow> {
  const [row] = await ex
    .update(clients)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(clients.id, id))
    .returning();
  return row;
}

export async function replaceOrigins(ex: Executor, clientId: string, origins: string[]): Promise<void> {
  await ex.delete(clientWebOrigins).where(eq(clientWebOrigins.clientId, clientId));
  if (origins.length > 0) await ex.insert(clientWebOrigins).values(origins.map((origin) => ({ clientId, origin })));
}

export async function deleteClient(ex: Executor, id: string): Promise<void> {
  await ex.delete(clients).where(eq(clients.id, id));
}
