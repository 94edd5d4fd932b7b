/**
 * The kill switch (reference §9.1): `emergencyDisableFeature` kills a feature now or schedules the kill,
 * `emergencyEnableFeature` clears both, `activeKillSwitches` lists them, and `applyDueKills` (the scheduler's
 * tick) turns due scheduled kills into kills. Nothing here touches stage `enabled` bits (§12-19): enabling a
 * feature again restores exactly what was deployed. A kill (immediate or come due) deletes the feature's stored
 * sticky assignments in its transaction (§12-18: they would resurrect after a release); edges purge theirs when
 * the change reaches them.
 */
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { pageWindow, toPage } from "../environments/listing";
import { AppError, badInput } from "../errors";
import { featureFor } from "../features/access";
import * as features from "../features/repository";
import type { FeaturePage } from "../features/service";
import { readableTeamIds, requireTeam } from "../policy";
import * as v from "../validation";
import * as repo from "./repository";

/** Longest delay a scheduled kill may have: one week. */
export const MAX_KILL_DELAY_MINUTES = 7 * 24 * 60;
const DUE_BATCH = 100;

/** `rollbackInMinutes` > 0 schedules the kill that far ahead; otherwise the feature is killed now. */
export async function emergencyDisableFeature(
  deps: AppDeps,
  actor: Actor,
  id: string,
  rollbackInMinutes?: number | null,
): Promise<features.FeatureRow> {
  const minutes = rollbackInMinutes ?? 0;
  if (minutes > MAX_KILL_DELAY_MINUTES) {
    throw badInput("rollbackInMinutes", `rollbackInMinutes must be at most ${MAX_KILL_DELAY_MINUTES} (one week)`);
  }
  return deps.db.transaction(async (tx) => {
    const before = await featureFor(tx, actor, id, "killswitch", { lock: true });
    const now = new Date();
    const scheduled = minutes > 0;
    if (before.killed) {
      if (!scheduled) return before;
      throw new AppError("CONFLICT", `feature '${before.key}' is already killed`, { field: "rollbackInMinutes" });
    }
    const at = new Date(now.getTime() + minutes * 60_000);
    const after = await features.updateFeature(
      tx,
      before.id,
      scheduled ? { killScheduledAt: at } : { killed: true, killedAt: now, killScheduledAt: null },
    );
    const purged = scheduled ? 0 : await repo.deleteAssignments(tx, before.id);
    await recordActivity(tx, {
      teamId: before.teamId,
      activityType: "kill_switch_activated",
      entityType: "feature",
      entityId: before.id,
      actor,
      description: scheduled
        ? `Scheduled a kill of feature '${before.key}' at ${at.toISOString()}`
        : `Killed feature '${before.key}'`,
      metadata: {
        feature_id: before.id,
        feature_key: before.key,
        scheduled,
        ...(scheduled
          ? { rollback_in_minutes: minutes, scheduled_at: at.toISOString() }
          : { purged_assignments: purged }),
      },
      before,
      after,
    });
    await recordChange(tx, { teamId: before.teamId, entity: "feature", entityId: before.id, key: before.key });
    return after;
  });
}

/** Releases the kill switch and cancels a scheduled kill; the stages serve as they were deployed. */
export async function emergencyEnableFeature(deps: AppDeps, actor: Actor, id: string): Promise<features.FeatureRow> {
  return deps.db.transaction(async (tx) => {
    const before = await featureFor(tx, actor, id, "killswitch", { lock: true });
    if (!before.killed && !before.killScheduledAt) return before;
    const after = await features.updateFeature(tx, before.id, { killed: false, killedAt: null, killScheduledAt: null });
    await recordActivity(tx, {
      teamId: before.teamId,
      activityType: "kill_switch_deactivated",
      entityType: "feature",
      entityId: before.id,
      actor,
      description: `Released the kill switch of feature '${before.key}'`,
      metadata: { feature_id: before.id, feature_key: before.key, was_killed: before.killed },
      before,
      after,
    });
    await recordChange(tx, { teamId: before.teamId, entity: "feature", entityId: before.id, key: before.key });
    return after;
  });
}

export interface ActiveKillSwitchesArgs {
  teamId?: string | null;
  includeScheduled?: boolean | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

/** Killed features (and, unless `includeScheduled` is false, those with a scheduled kill), by key. */
export async function activeKillSwitches(
  deps: AppDeps,
  actor: Actor,
  args: ActiveKillSwitchesArgs,
): Promise<FeaturePage> {
  let teamIds: string[] | undefined;
  if (args.teamId) {
    const teamId = v.uuid("teamId", args.teamId);
    requireTeam(actor, teamId, "team:read");
    teamIds = [teamId];
  } else {
    const readable = readableTeamIds(actor);
    teamIds = readable === "all" ? undefined : readable;
  }
  const window = pageWindow(args.pageNumber, args.pageSize);
  const { rows, total } = await features.listFeatures(
    deps.db,
    { teamIds, where: repo.killSwitchActive(args.includeScheduled ?? true) },
    window,
  );
  return toPage(rows, total, window);
}

/**
 * Turns scheduled kills due at `now` into kills (killed_at = the scheduled instant, from which evaluators already
 * answered off). Only the transaction holding the scheduler's advisory lock works, so one replica at a time does;
 * returns how many it applied.
 */
export async function applyDueKills(deps: AppDeps, now = new Date()): Promise<number> {
  return deps.db.transaction(async (tx) => {
    if (!(await repo.tryLeadScheduler(tx))) return 0;
    const due = await repo.lockDueKills(tx, now, DUE_BATCH);
    for (const before of due) {
      const after = await features.updateFeature(tx, before.id, {
        killed: true,
        killedAt: before.killScheduledAt,
        killScheduledAt: null,
      });
      const purged = await repo.deleteAssignments(tx, before.id);
      await recordActivity(tx, {
        teamId: before.teamId,
        activityType: "kill_switch_activated",
        entityType: "feature",
        entityId: before.id,
        actor: null,
        description: `Scheduled kill of feature '${before.key}' took effect`,
        metadata: {
          feature_id: before.id,
          feature_key: before.key,
          scheduled_execution: true,
          scheduled_at: before.killScheduledAt?.toISOString(),
          purged_assignments: purged,
        },
        before,
        after,
      });
      await recordChange(tx, { teamId: before.teamId, entity: "feature", entityId: before.id, key: before.key });
    }
    return due.length;
  });
}
