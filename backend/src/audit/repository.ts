/** The `activity_log` table. */
import { activityLog, type Executor } from "@fluxgate/drizzle";
import { and, count, desc, eq, gte, inArray, isNotNull, lte, type SQL, sql } from "drizzle-orm";

export type ActivityRow = typeof activityLog.$inferSelect;
export type NewActivity = typeof activityLog.$inferInsert;

export async function insertActivity(ex: Executor, entry: NewActivity): Promise<ActivityRow> {
  const [row] = await ex.insert(activityLog).values(entry).returning();
  return row;
}

export async function notify(ex: Executor, channel: string, payload: string): Promise<void> {
  await ex.execute(sql`select pg_notify(${channel}, ${payload})`);
}

export interface ActivityFilter {
  /** A team, or `"all"` (super-admin: every team and the global entries). */
  teamId: string | "all";
  activityTypes?: string[];
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
}

function where(filter: ActivityFilter): SQL | undefined {
  return and(
    filter.teamId === "all" ? undefined : eq(activityLog.teamId, filter.teamId),
    filter.activityTypes?.length ? inArray(activityLog.activityType, filter.activityTypes) : undefined,
    filter.entityType ? eq(activityLog.entityType, filter.entityType) : undefined,
    filter.entityId ? eq(activityLog.entityId, filter.entityId) : undefined,
    filter.actorId ? and(isNotNull(activityLog.actorId), eq(activityLog.actorId, filter.actorId)) : undefined,
    filter.from ? gte(activityLog.createdAt, filter.from) : undefined,
    filter.to ? lte(activityLog.createdAt, filter.to) : undefined,
  );
}

/** Newest first. */
export async function listActivities(
  ex: Executor,
  filter: ActivityFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ActivityRow[]; total: number }> {
  const condition = where(filter);
  const rows = await ex
    .select()
    .from(activityLog)
    .where(condition)
    .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
    .limit(page.limit)
    .offset(page.offset);
  const [{ total }] = await ex.select({ total: count() }).from(activityLog).where(condition);
  return { rows, total };
}
