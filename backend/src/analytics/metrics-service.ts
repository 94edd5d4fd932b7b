/** System metrics, rollout metrics (reference §8.5) and feature growth: team-scoped like every analytics call. */
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import { badInput } from "../errors";
import * as agg from "./aggregates";
import * as input from "./input";
import * as repo from "./metrics-repository";
import { readSnapshot } from "./repository";
import { cubeScope, resolveScope, type Scope } from "./scope";
import { DAY_MS, minuteRange, utcDay } from "./windows";

export interface SystemMetrics {
  totalFeatures: number;
  activeClients: number;
  totalClients: number;
  /** Since 00:00 UTC today. */
  evaluationsToday: number;
  /** The previous UTC day. */
  evaluationsYesterday: number;
  /** Over the last 7 days. */
  successRate: number;
  totalEvaluations7d: number;
  successfulEvaluations7d: number;
  generatedAt: Date;
}

export async function systemMetrics(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  now = Date.now(),
): Promise<SystemMetrics> {
  return computeSystemMetrics(deps, await resolveScope(deps, actor, teamId), now);
}

export async function computeSystemMetrics(deps: AppDeps, scope: Scope, now: number): Promise<SystemMetrics> {
  const cube = await cubeScope(deps, scope);
  const today = utcDay(now);
  const [inventory, [todays, yesterdays, week]] = await readSnapshot(deps.db, (tx) =>
    Promise.all([
      repo.inventory(tx, scope.teams),
      agg.counts(tx, cube, [
        minuteRange(today, now),
        { from: today - DAY_MS, to: today },
        minuteRange(now - 7 * DAY_MS, now),
      ]),
    ]),
  );
  return {
    ...inventory,
    evaluationsToday: todays.evaluations,
    evaluationsYesterday: yesterdays.evaluations,
    successRate: agg.percent(week.successes, week.evaluations),
    totalEvaluations7d: week.evaluations,
    successfulEvaluations7d: week.successes,
    generatedAt: new Date(now),
  };
}

export interface RolloutMetrics {
  approvalRate: number;
  featuresDeployedThisWeek: number;
  featuresDeployedLastWeek: number;
  deploymentChange: number;
  bottleneckStage: string;
  bottleneckDuration: number;
  totalPendingApprovals: number;
  averageTimeInPipeline: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Reference §8.5, from the stages' current status. `averageTimeInPipeline` (always 0 in the original) is the
 * average hours from deployment request to approval of the currently deployed stages.
 */
export async function rolloutMetrics(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  now = Date.now(),
): Promise<RolloutMetrics> {
  const scope = await resolveScope(deps, actor, teamId);
  const s = await repo.stageNumbers(deps.db, scope.teams, new Date(now));
  const change =
    s.deployedLastWeek > 0
      ? ((s.deployedThisWeek - s.deployedLastWeek) / s.deployedLastWeek) * 100
      : s.deployedThisWeek > 0
        ? 100
        : 0;
  return {
    approvalRate: agg.percent(s.deployed, s.deployed + s.rejected),
    featuresDeployedThisWeek: s.deployedThisWeek,
    featuresDeployedLastWeek: s.deployedLastWeek,
    deploymentChange: round2(change),
    bottleneckStage: s.bottleneck?.environment ?? "None",
    bottleneckDuration: round2(s.bottleneck?.hours ?? 0),
    totalPendingApprovals: s.pendingDeployments,
    averageTimeInPipeline: round2(s.averageHoursToDeploy ?? 0),
  };
}

export interface GrowthArgs {
  teamId?: string | null;
  fromTime: Date;
  toTime: Date;
  interval: string;
}

/** How many buckets a growth chart may have, per interval. */
const MAX_GROWTH_SPAN_MS: Record<repo.GrowthInterval, number> = {
  day: 366 * DAY_MS,
  week: 5 * 366 * DAY_MS,
  month: 10 * 366 * DAY_MS,
};

/** Flags created per day / week / month and team in `[fromTime, toTime]`, with a running total within the window. */
export async function featureGrowth(deps: AppDeps, actor: Actor, args: GrowthArgs, now = Date.now()) {
  if (!Object.hasOwn(MAX_GROWTH_SPAN_MS, args.interval))
    throw badInput("interval", "interval must be day, week or month");
  const interval = args.interval as repo.GrowthInterval;
  const { from, to } = input.window({ from: "fromTime", to: "toTime" }, args.fromTime, args.toTime, {
    maxMs: MAX_GROWTH_SPAN_MS[interval],
    now,
  });
  const scope = await resolveScope(deps, actor, args.teamId);
  const rows = await repo.featureGrowth(deps.db, scope.teams, new Date(from), new Date(to), interval);
  return rows.map(({ bucket, ...row }) => ({ timeBucket: bucket, ...row }));
}
