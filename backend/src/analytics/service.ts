/**
 * Analytics queries (reference §2.6, §8): validate, authorise (`analytics:read` on the team), then read the cube.
 * Every call is team-scoped (see scope.ts) and bounded: explicit windows are checked before any query runs.
 */
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import * as agg from "./aggregates";
import * as input from "./input";
import { readSnapshot } from "./repository";
import { cubeScope, type Filters, resolveScope, type Scope } from "./scope";
import { type MinuteRange, minuteRange, type Period, periodRange } from "./windows";

export interface SummaryInput extends Filters {
  period: Period;
}

export interface RatesInput extends Filters {
  fromTime: Date;
  toTime: Date;
  intervalMinutes: number;
}

export interface RatesWithPeriodInput extends Filters {
  period: Period;
  intervalMinutes: number;
}

export interface CountFilter {
  fromDate: Date;
  toDate: Date;
  featureKey?: string | null;
  environmentId?: string | null;
  clientId?: string | null;
}

export interface ByFeatureArgs {
  teamId?: string | null;
  fromTime: Date;
  toTime: Date;
  environmentId?: string | null;
  clientId?: string | null;
  limit?: number | null;
  offset?: number | null;
}

/** Totals, rates, unique users and the top flag over the last `period`. */
export async function evaluationSummary(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  summaryInput: SummaryInput,
  now = Date.now(),
): Promise<agg.EvaluationSummary> {
  const period = input.period("input.period", summaryInput.period);
  const scope = await resolveScope(deps, actor, teamId, summaryInput, "input.");
  return agg.summary(deps.db, await cubeScope(deps, scope), periodRange(period, now));
}

/** A validated explicit rates request: the window and the interval. */
export interface RatesPlan {
  scope: Scope;
  from: number;
  to: number;
  intervalMinutes: number;
}

export async function planRates(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesInput,
  now: number,
): Promise<RatesPlan> {
  const intervalMinutes = input.intervalMinutes("input.intervalMinutes", ratesInput.intervalMinutes);
  const { from, to } = input.window(
    { from: "input.fromTime", to: "input.toTime" },
    ratesInput.fromTime,
    ratesInput.toTime,
    {
      maxMs: input.MAX_RATES_WINDOW_MS,
      now,
      notFuture: true,
    },
  );
  const scope = await resolveScope(deps, actor, teamId, ratesInput, "input.");
  return { scope, from, to, intervalMinutes };
}

/** Evaluations per `intervalMinutes` bucket in `[fromTime, toTime]` (at most 24 hours). */
export async function evaluationRates(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesInput,
  now = Date.now(),
): Promise<agg.RatePoint[]> {
  const plan = await planRates(deps, actor, teamId, ratesInput, now);
  return agg.rates(deps.db, await cubeScope(deps, plan.scope), minuteRange(plan.from, plan.to), plan.intervalMinutes);
}

/** Evaluations per `intervalMinutes` bucket over the last `period`. */
export async function evaluationRatesWithPeriod(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  ratesInput: RatesWithPeriodInput,
  now = Date.now(),
): Promise<agg.RatePoint[]> {
  const period = input.period("input.period", ratesInput.period);
  const intervalMinutes = input.intervalMinutes("input.intervalMinutes", ratesInput.intervalMinutes);
  const scope = await resolveScope(deps, actor, teamId, ratesInput, "input.");
  return agg.rates(deps.db, await cubeScope(deps, scope), periodRange(period, now), intervalMinutes);
}

/** Per-flag totals in `[fromTime, toTime]` (at most 30 days), most evaluated first. */
export async function evaluationsByFeature(
  deps: AppDeps,
  actor: Actor,
  args: ByFeatureArgs,
  now = Date.now(),
): Promise<agg.FeatureEvaluations[]> {
  const { from, to } = input.window({ from: "fromTime", to: "toTime" }, args.fromTime, args.toTime, {
    maxMs: input.MAX_WINDOW_MS,
    now,
  });
  const page = input.featurePage({ limit: "limit", offset: "offset" }, args.limit, args.offset);
  const scope = await resolveScope(deps, actor, args.teamId, args);
  return agg.byFeature(deps.db, await cubeScope(deps, scope), minuteRange(from, to), page);
}

/** Number of evaluations in `[fromDate, toDate]` (at most 30 days). */
export async function evaluationCount(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  filter: CountFilter,
  now = Date.now(),
): Promise<number> {
  const { from, to } = input.window({ from: "filter.fromDate", to: "filter.toDate" }, filter.fromDate, filter.toDate, {
    maxMs: input.MAX_WINDOW_MS,
    now,
  });
  const scope = await resolveScope(deps, actor, teamId, filter, "filter.");
  const range: MinuteRange = minuteRange(from, to);
  const cube = await cubeScope(deps, scope);
  return (await readSnapshot(deps.db, (tx) => agg.count(tx, cube, range))).evaluations;
}
