/**
 * Live dashboards. Each subscription emits at once, then recomputes only after new evaluations of its team(s)
 * arrived (a NOTIFY on `fluxgate_evaluations` per stored batch, from any replica) and at most once per second:
 * a burst of batches is one recompute at the end of the second (reference §8.3, §12-25).
 */
import { Repeater } from "graphql-yoga";
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import { AppError } from "../errors";
import * as agg from "./aggregates";
import * as input from "./input";
import { computeSystemMetrics, type SystemMetrics } from "./metrics-service";
import { cubeScope, reauthorize, resolveScope, type Scope } from "./scope";
import { planRates, type RatesInput, type RatesWithPeriodInput, type SummaryInput } from "./service";
import { type MinuteRange, minuteRange, type Period, periodRange } from "./windows";

/** The channel ingest notifies (trigger on `evaluation_deltas`), payload = team id. */
export const EVALUATIONS_CHANNEL = "fluxgate_evaluations";
export const MIN_EMIT_INTERVAL_MS = 1_000;

type RefreshActor = () => Promise<Actor | null>;

/**
 * `compute(startedAt)` now, then again after new data for `scope`'s teams — never two starts within
 * `minIntervalMs`; notifications during a computation or the pause are coalesced into one more run. Before each
 * run the session is re-checked: a revoked token or a lost membership ends the stream.
 */
export function liveResults<T>(
  deps: AppDeps,
  scope: Scope,
  refreshActor: RefreshActor,
  compute: (startedAt: Date) => Promise<T>,
  minIntervalMs = MIN_EMIT_INTERVAL_MS,
): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    let dirty = true;
    let running = false;
    let lastStart = Number.NEGATIVE_INFINITY;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      timer = undefined;
      if (running || !dirty) return;
      running = true;
      dirty = false;
      lastStart = Date.now();
      try {
        const actor = await refreshActor();
        if (!actor) throw new AppError("UNAUTHENTICATED", "the session ended");
        reauthorize(actor, scope);
        await push(await compute(new Date(lastStart)));
      } finally {
        running = false;
      }
      if (dirty) schedule();
    };
    const schedule = () => {
      if (timer || running) return;
      timer = setTimeout(() => run().catch(stop), Math.max(0, lastStart + minIntervalMs - Date.now()));
    };
    const unsubscribe = await deps.pubsub.subscribe(EVALUATIONS_CHANNEL, (teamId) => {
      if (scope.teams !== "all" && !scope.teams.includes(teamId)) return;
      dirty = true;
      schedule();
    });
    run().catch(stop);
    await stop;
    clearTimeout(timer);
    unsubscribe();
  });
}

export type LiveSummary = agg.EvaluationSummary & { generatedAt: Date };

/** The summary of `range`, stamped with the time its computation started. */
async function liveSummary(deps: AppDeps, scope: Scope, range: MinuteRange, at: Date): Promise<LiveSummary> {
  const summary = await agg.summary(deps.db, await cubeScope(deps, scope), range);
  return { ...summary, generatedAt: at };
}

/** The summary of the last `period`, rolling with the clock. */
export async function watchSummary(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  summaryInput: SummaryInput,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<LiveSummary>> {
  const period = input.period("input.period", summaryInput.period);
  const scope = await resolveScope(deps, actor, teamId, summaryInput, "input.");
  return liveResults(deps, scope, refreshActor, (at) =>
    liveSummary(deps, scope, periodRange(period, at.getTime()), at),
  );
}

/** Rates of the last `period`, rolling with the clock. */
export async function watchRatesWithPeriod(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesWithPeriodInput,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<agg.RatePoint[]>> {
  const period = input.period("input.period", ratesInput.period);
  const interval = input.intervalMinutes("input.intervalMinutes", ratesInput.intervalMinutes);
  const scope = await resolveScope(deps, actor, teamId, ratesInput, "input.");
  return liveResults(deps, scope, refreshActor, async (at) =>
    agg.rates(deps.db, await cubeScope(deps, scope), periodRange(period, at.getTime()), interval),
  );
}

/** Rates of `[fromTime, min(toTime, now)]`. */
export async function watchRates(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesInput,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<agg.RatePoint[]>> {
  const plan = await planRates(deps, actor, teamId, ratesInput, Date.now());
  return liveResults(deps, plan.scope, refreshActor, async (at) => {
    const range = minuteRange(plan.from, Math.min(plan.to, at.getTime()));
    return agg.rates(deps.db, await cubeScope(deps, plan.scope), range, plan.intervalMinutes);
  });
}

export interface DashboardData {
  rates: agg.RatePoint[];
  summary: LiveSummary;
  generatedAt: Date;
}

/** Rates and summary of `[fromTime, min(toTime, now)]`. */
export async function watchDashboard(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesInput,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<DashboardData>> {
  const plan = await planRates(deps, actor, teamId, ratesInput, Date.now());
  return liveResults(deps, plan.scope, refreshActor, async (at) => {
    const range = minuteRange(plan.from, Math.min(plan.to, at.getTime()));
    const [rates, summary] = await Promise.all([
      agg.rates(deps.db, await cubeScope(deps, plan.scope), range, plan.intervalMinutes),
      liveSummary(deps, plan.scope, range, at),
    ]);
    return { rates, summary, generatedAt: at };
  });
}

export interface ByFeatureLiveInput {
  period: Period;
  environmentId?: string | null;
  clientId?: string | null;
  limit?: number | null;
  offset?: number | null;
}

export type LiveFeatureRow = agg.FeatureEvaluations & { sequence: number; emittedAt: Date };

/** The top flags of the last `period`; every row of an emission carries its `sequence` (0, 1, …) and time. */
export async function watchByFeature(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  liveInput: ByFeatureLiveInput,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<LiveFeatureRow[]>> {
  const period = input.period("input.period", liveInput.period);
  const page = input.featurePage({ limit: "input.limit", offset: "input.offset" }, liveInput.limit, liveInput.offset);
  const scope = await resolveScope(deps, actor, teamId, liveInput, "input.");
  let sequence = 0;
  return liveResults(deps, scope, refreshActor, async (at) => {
    const rows = await agg.byFeature(deps.db, await cubeScope(deps, scope), periodRange(period, at.getTime()), page);
    const emission = { sequence: sequence++, emittedAt: at };
    return rows.map((row) => ({ ...row, ...emission }));
  });
}

export async function watchSystemMetrics(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  refreshActor: RefreshActor,
): Promise<AsyncIterable<SystemMetrics>> {
  const scope = await resolveScope(deps, actor, teamId);
  return liveResults(deps, scope, refreshActor, (at) => computeSystemMetrics(deps, scope, at.getTime()));
}
