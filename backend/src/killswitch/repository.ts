/** Kill-switch queries over `features`, and the sticky assignments a kill purges. */
import { type Executor, executeRows, features, userFlagAssignments } from "@fluxgate/drizzle";
import { and, asc, eq, isNotNull, lte, or, type SQL, sql } from "drizzle-orm";

/** Condition on `features`: killed, or (with `scheduled`) a kill is scheduled. */
export function killSwitchActive(scheduled: boolean): SQL {
  return (
    scheduled ? or(eq(features.killed, true), isNotNull(features.killScheduledAt)) : eq(features.killed, true)
  ) as SQL;
}

/**
 * True for the one transaction (on any replica) that gets the scheduler's lock; released at commit. PGlite and
 * Postgres both have transaction-scoped advisory locks.
 */
export async function tryLeadScheduler(ex: Executor): Promise<boolean> {
  const [row] = await executeRows<{ locked: boolean }>(
    ex,
    sql`select pg_try_advisory_xact_lock(hashtext('fluxgate:kill-scheduler')) as locked`,
  );
  return row?.locked === true;
}

/** Scheduled kills due at `now`, oldest first, locked; rows another transaction holds are left for the next tick. */
export async function lockDueKills(ex: Executor, now: Date, limit: number): Promise<(typeof features.$inferSelect)[]> {
  return ex
    .select()
    .from(features)
    .where(and(eq(features.killed, false), lte(features.killScheduledAt, now)))
    .orderBy(asc(features.killScheduledAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

/**
 * Deletes every stored sticky assignment of a feature (all environments); returns how many. A killed feature's
 * assignments must not come back when it is enabled again (reference §12, bug 18).
 */
export async function deleteAssignments(ex: Executor, featureId: string): Promise<number> {
  // counted in SQL: a popular flag may have millions of rows, none of which need to come back
  const [row] = await executeRows<{ n: number }>(
    ex,
    sql`with deleted as (
      delete from ${userFlagAssignments} where ${userFlagAssignments.featureId} = ${featureId} returning 1
    ) select count(*)::int as n from deleted`,
  );
  return Number(row?.n ?? 0);
}
