/** The `environments` table, and what deleting one touches (bound clients, pipeline and feature stages). */
import { clients, type Executor, environments, featureStages, features, pipelineStages } from "@fluxgate/drizzle";
import { type AnyColumn, and, asc, count, eq, ilike, inArray, type SQL, sql } from "drizzle-orm";
import type { PageWindow } from "./listing";

export type EnvironmentRow = typeof environments.$inferSelect;

/** An ILIKE pattern matching values that start with `prefix` (wildcards in it are taken literally). */
export const prefixPattern = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** List order: case-insensitively by name (the same under every collation), then by id. */
export const byName = (name: AnyColumn, id: AnyColumn): SQL[] => [asc(sql`lower(${name})`), asc(name), asc(id)];

export async function findEnvironment(
  ex: Executor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<EnvironmentRow | undefined> {
  const query = ex.select().from(environments).where(eq(environments.id, id)).limit(1);
  const [row] = options.lock ? await query.for("update") : await query;
  return row;
}

export interface EnvironmentFilter {
  namePrefix?: string;
  active?: boolean;
}

/** A team's environments by name. */
export async function listEnvironments(
  ex: Executor,
  teamId: string,
  filter: EnvironmentFilter,
  window: PageWindow | undefined,
): Promise<{ rows: EnvironmentRow[]; total: number }> {
  const condition = and(
    eq(environments.teamId, teamId),
    filter.namePrefix === undefined ? undefined : ilike(environments.name, prefixPattern(filter.namePrefix)),
    filter.active === undefined ? undefined : eq(environments.active, filter.active),
  );
  const query = ex
    .select()
    .from(environments)
    .where(condition)
    .orderBy(...byName(environments.name, environments.id));
  if (!window) {
    const rows = await query;
    return { rows, total: rows.length };
  }
  const rows = await query.limit(window.limit).offset(window.offset);
  const [{ total }] = await ex.select({ total: count() }).from(environments).where(condition);
  return { rows, total };
}

/** Which of `ids` are environments of `teamId`. */
export async function teamEnvironmentIds(ex: Executor, teamId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ex
    .select({ id: environments.id })
    .from(environments)
    .where(and(eq(environments.teamId, teamId), inArray(environments.id, ids)));
  return new Set(rows.map((r) => r.id));
}

export async function insertEnvironment(
  ex: Executor,
  environment: Pick<EnvironmentRow, "teamId" | "name" | "active" | "requiresApproval">,
): Promise<EnvironmentRow> {
  const [row] = await ex.insert(environments).values(environment).returning();
  return row;
}

export async function updateEnvironment(
  ex: Executor,
  id: string,
  changes: Partial<Pick<EnvironmentRow, "name" | "active" | "requiresApproval">>,
): Promise<EnvironmentRow> {
  if (Object.values(changes).every((value) => value === undefined)) {
    return (await findEnvironment(ex, id)) as EnvironmentRow;
  }
  const [row] = await ex.update(environments).set(changes).where(eq(environments.id, id)).returning();
  return row;
}

export async function deleteEnvironment(ex: Executor, id: string): Promise<void> {
  await ex.delete(environments).where(eq(environments.id, id));
}

/** Clients bound to the environment (their binding refuses its deletion). */
export async function boundClients(ex: Executor, environmentId: string): Promise<{ id: string; name: string }[]> {
  return ex
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(eq(clients.environmentId, environmentId))
    .orderBy(asc(clients.name));
}

/** Features with a stage in the environment (they lose it when the environment goes). */
export async function featuresStagedIn(ex: Executor, environmentId: string): Promise<{ id: string; key: string }[]> {
  return ex
    .selectDistinct({ id: features.id, key: features.key })
    .from(featureStages)
    .innerJoin(features, eq(features.id, featureStages.featureId))
    .where(eq(featureStages.environmentId, environmentId))
    .orderBy(asc(features.key));
}

/** Pipelines with a stage in the environment. */
export async function pipelinesStagedIn(ex: Executor, environmentId: string): Promise<string[]> {
  const rows = await ex
    .select({ id: pipelineStages.pipelineId })
    .from(pipelineStages)
    .where(eq(pipelineStages.environmentId, environmentId));
  return rows.map((r) => r.id);
}

/**
 * Before the environment's stages go: their children move up to the removed stage's parent, so a chain
 * dev → staging → prod becomes dev → prod instead of losing prod (pipeline stages cascade on their parent) or
 * leaving it detached (feature stages set null).
 */
export async function reattachChildStages(ex: Executor, environmentId: string): Promise<void> {
  await ex.execute(sql`
    update ${pipelineStages} as child set parent_stage_id = removed.parent_stage_id
    from ${pipelineStages} as removed
    where child.parent_stage_id = removed.id and removed.environment_id = ${environmentId}`);
  await ex.execute(sql`
    update ${featureStages} as child set parent_stage_id = removed.parent_stage_id
    from ${featureStages} as removed
    where child.parent_stage_id = removed.id and removed.environment_id = ${environmentId}`);
}
