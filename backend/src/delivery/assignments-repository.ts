/** Sticky assignments (`user_flag_assignments`), always within one team. */
import { type Executor, environments, features, userFlagAssignments } from "@fluxgate/drizzle";
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";

export interface AssignmentRow {
  userId: string;
  featureId: string;
  environmentId: string;
  assigned: boolean;
  variant: string | null;
}

/** Which of these feature ids belong to the team, each with whether it is killed (or its scheduled kill is due). */
export async function teamFeatures(executor: Executor, teamId: string, ids: string[]): Promise<Map<string, boolean>> {
  if (ids.length === 0) return new Map();
  const rows = await executor
    .select({
      id: features.id,
      killed: sql<boolean>`(${features.killed} or coalesce(${features.killScheduledAt} <= now(), false))`,
    })
    .from(features)
    .where(and(eq(features.teamId, teamId), inArray(features.id, ids)));
  return new Map(rows.map((r) => [r.id, r.killed === true]));
}

/** Which of these environment ids belong to the team. */
export async function teamEnvironmentIds(executor: Executor, teamId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await executor
    .select({ id: environments.id })
    .from(environments)
    .where(and(eq(environments.teamId, teamId), inArray(environments.id, ids)));
  return new Set(rows.map((r) => r.id));
}

/** Upserts rows (unique per user, feature, environment) in chunks of one statement each. */
export async function upsertAssignments(executor: Executor, rows: AssignmentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) {
    const json = JSON.stringify(
      rows
        .slice(i, i + 5_000)
        .map((r) => ({ u: r.userId, f: r.featureId, e: r.environmentId, a: r.assigned, v: r.variant })),
    );
    await executor.execute(sql`
      insert into user_flag_assignments (user_id, feature_id, environment_id, assigned, variant, assigned_at)
      select x.u, x.f, x.e, x.a, x.v, now()
      from json_to_recordset((${json}::text)::json) as x(u text, f uuid, e uuid, a boolean, v text)
      on conflict (user_id, feature_id, environment_id) do update set
        assigned = excluded.assigned, variant = excluded.variant, assigned_at = excluded.assigned_at`);
  }
}

/** Deletes these (user, feature, environment) rows: an edge purged them (`assigned: false`). */
export async function deleteAssignmentRows(executor: Executor, rows: AssignmentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) {
    const json = JSON.stringify(
      rows.slice(i, i + 5_000).map((r) => ({ u: r.userId, f: r.featureId, e: r.environmentId })),
    );
    await executor.execute(sql`
      delete from user_flag_assignments a
      using json_to_recordset((${json}::text)::json) as x(u text, f uuid, e uuid)
      where a.user_id = x.u and a.feature_id = x.f and a.environment_id = x.e`);
  }
}

/** Assignments of the team's features, optionally for one feature and/or environment. */
export async function listAssignments(
  executor: Executor,
  teamId: string,
  filter: { featureId?: string; environmentId?: string },
): Promise<AssignmentRow[]> {
  const where: SQL[] = [eq(features.teamId, teamId)];
  if (filter.featureId) where.push(eq(userFlagAssignments.featureId, filter.featureId));
  if (filter.environmentId) where.push(eq(userFlagAssignments.environmentId, filter.environmentId));
  return executor
    .select({
      userId: userFlagAssignments.userId,
      featureId: userFlagAssignments.featureId,
      environmentId: userFlagAssignments.environmentId,
      assigned: userFlagAssignments.assigned,
      variant: userFlagAssignments.variant,
    })
    .from(userFlagAssignments)
    .innerJoin(features, eq(features.id, userFlagAssignments.featureId))
    .where(and(...where))
    .orderBy(asc(userFlagAssignments.featureId), asc(userFlagAssignments.userId));
}
