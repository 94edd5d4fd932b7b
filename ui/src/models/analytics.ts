/**
 * Evaluation analytics of the selected team, live: the summary and timeline of the Evaluation analytics page,
 * filtered by period, flag, environment and client. The backend recomputes a subscription at most once a second
 * and only when new evaluations arrived, so every emission replaces the numbers held here.
 */
import { computed, signal } from "@preact/signals";
import type { ApiError } from "../api/errors.ts";
import { live } from "./api.ts";
import { EVALUATION_SUMMARY_LIVE, type EvaluationSummary, SUMMARY_FIELDS } from "./evaluation-summary.ts";
import { buildTimeline, type RatePoint, type Timeline } from "./timeline.ts";

export type { EvaluationSummary, RatePoint, Timeline };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export type PeriodKey = "1h" | "24h" | "7d" | "30d";
type ApiPeriod = "PERIOD_24H" | "PERIOD_7D" | "PERIOD_30D";

export interface PeriodSpec {
  label: string;
  ms: number;
  /** Bucket width of the timeline (the API allows 1–60). */
  intervalMinutes: number;
  /** The API's rolling period; null = an explicit window (`evaluationDashboard`). */
  apiPeriod: ApiPeriod | null;
}

export const PERIODS: Record<PeriodKey, PeriodSpec> = {
  "1h": { label: "Last hour", ms: HOUR_MS, intervalMinutes: 1, apiPeriod: null },
  "24h": { label: "Last 24 hours", ms: 24 * HOUR_MS, intervalMinutes: 15, apiPeriod: "PERIOD_24H" },
  "7d": { label: "Last 7 days", ms: 7 * 24 * HOUR_MS, intervalMinutes: 60, apiPeriod: "PERIOD_7D" },
  "30d": { label: "Last 30 days", ms: 30 * 24 * HOUR_MS, intervalMinutes: 60, apiPeriod: "PERIOD_30D" },
};

/**
 * The explicit window of "1h" starts at the subscription; it is re-anchored this often so it stays about an hour
 * long (the numbers shown always name their real window).
 */
export const REANCHOR_MS = 5 * MINUTE_MS;

export interface AnalyticsFilter {
  period: PeriodKey;
  /** "" = every flag, environment, client. */
  featureKey: string;
  environmentId: string;
  clientId: string;
}

const ALL: AnalyticsFilter = { period: "1h", featureKey: "", environmentId: "", clientId: "" };

const chosen = signal<{ teamId: string | null; filter: AnalyticsFilter }>({ teamId: null, filter: ALL });

/** The filter of a team's page: a flag, environment or client chosen for another team does not carry over. */
export function analyticsFilterFor(teamId: string): AnalyticsFilter {
  const { teamId: team, filter } = chosen.value;
  return team === teamId ? filter : { ...ALL, period: filter.period };
}

export function setAnalyticsFilter(teamId: string, patch: Partial<AnalyticsFilter>): void {
  chosen.value = { teamId, filter: { ...analyticsFilterFor(teamId), ...patch } };
}

/** What the timeline covers: `[from, to]` in epoch ms, in buckets of `intervalMinutes`. */
export interface EvaluationWindow {
  from: number;
  to: number;
  intervalMinutes: number;
}

export const evaluationSummary = signal<EvaluationSummary | undefined>(undefined);
export const evaluationRates = signal<{ points: RatePoint[]; window: EvaluationWindow } | undefined>(undefined);
export const analyticsError = signal<ApiError | null>(null);

/** The timeline of the rates held, one slot per bucket of the window (empty buckets count 0). */
export const timeline = computed<Timeline | undefined>(() => {
  const rates = evaluationRates.value;
  return rates && buildTimeline(rates.points, rates.window);
});

const RATE_FIELDS = "timeBucket evaluationCount successCount priorAssignmentCount successRate cacheHitRate";

export const EVALUATION_DASHBOARD = `subscription EvaluationDashboard($teamId: ID, $input: EvaluationRatesInput!) {
  evaluationDashboard(teamId: $teamId, input: $input) { generatedAt rates { ${RATE_FIELDS} } summary { ${SUMMARY_FIELDS} } } }`;

export const EVALUATION_RATES_LIVE = `subscription EvaluationRatesLive($teamId: ID, $input: EvaluationRatesInputWithPeriod!) {
  evaluationRatesWithPeriod(teamId: $teamId, input: $input) { ${RATE_FIELDS} } }`;

/** The filters as the API's optional inputs: "" becomes null (every flag, environment, client). */
export function filterInput(filter: AnalyticsFilter) {
  return {
    featureKey: filter.featureKey || null,
    environmentId: filter.environmentId || null,
    clientId: filter.clientId || null,
  };
}

type Vars<T> = { teamId: string; input: ReturnType<typeof filterInput> & T };

/** The subscriptions' variables: one explicit window ("1h"), or a rolling period's summary and rates. */
export type EvaluationVariables =
  | { kind: "window"; dashboard: Vars<{ fromTime: string; toTime: string; intervalMinutes: number }> }
  | {
      kind: "period";
      summary: Vars<{ period: ApiPeriod }>;
      rates: Vars<{ period: ApiPeriod; intervalMinutes: number }>;
    };

/** The "1h" window's variables: `[now - 1 h, now - 1 h + 24 h]` (24 h is the API's limit), read up to now. */
function windowVariables(teamId: string, filter: AnalyticsFilter, now: number) {
  const spec = PERIODS[filter.period];
  const from = now - spec.ms;
  const input = { ...filterInput(filter), fromTime: iso(from), toTime: iso(from + 24 * HOUR_MS) };
  return { teamId, input: { ...input, intervalMinutes: spec.intervalMinutes } };
}

function periodVariables(teamId: string, filter: AnalyticsFilter, period: ApiPeriod) {
  const input = { ...filterInput(filter), period };
  return {
    summary: { teamId, input },
    rates: { teamId, input: { ...input, intervalMinutes: PERIODS[filter.period].intervalMinutes } },
  };
}

/** Variables of the subscriptions for `filter` at `now`. */
export function evaluationVariables(teamId: string, filter: AnalyticsFilter, now: number): EvaluationVariables {
  const period = PERIODS[filter.period].apiPeriod;
  return period === null
    ? { kind: "window", dashboard: windowVariables(teamId, filter, now) }
    : { kind: "period", ...periodVariables(teamId, filter, period) };
}

const iso = (ms: number) => new Date(ms).toISOString();

function clear(): void {
  evaluationSummary.value = undefined;
  evaluationRates.value = undefined;
  analyticsError.value = null;
}

const onError = (error: ApiError) => {
  analyticsError.value = error;
};

export interface WatchOptions {
  /** The clock (tests). */
  now?: () => number;
  /** How often the "1h" window is re-anchored; default REANCHOR_MS. */
  reanchorMs?: number;
}

/** The explicit "1h" window: one `evaluationDashboard` stream, re-anchored every `reanchorMs`. */
function watchWindow(teamId: string, filter: AnalyticsFilter, now: () => number, reanchorMs: number): () => void {
  const interval = PERIODS[filter.period].intervalMinutes;
  let stop = () => {};
  const open = () => {
    stop();
    const variables = windowVariables(teamId, filter, now());
    const from = Date.parse(variables.input.fromTime);
    stop = live<{ evaluationDashboard: { generatedAt: string; rates: RatePoint[]; summary: EvaluationSummary } }>({
      name: "evaluationDashboard",
      query: EVALUATION_DASHBOARD,
      variables,
      onData: ({ evaluationDashboard: d }) => {
        analyticsError.value = null;
        evaluationSummary.value = d.summary;
        evaluationRates.value = {
          points: d.rates,
          window: { from, to: Date.parse(d.generatedAt), intervalMinutes: interval },
        };
      },
      onError,
    });
  };
  open();
  const timer = setInterval(open, reanchorMs);
  return () => {
    clearInterval(timer);
    stop();
  };
}

/** A rolling period: the live summary and the live rates, two streams. */
function watchPeriod(teamId: string, filter: AnalyticsFilter, period: ApiPeriod, now: () => number): () => void {
  const spec = PERIODS[filter.period];
  const vars = periodVariables(teamId, filter, period);
  const stopSummary = live<{ evaluationSummary: EvaluationSummary }>({
    name: "evaluationSummary",
    query: EVALUATION_SUMMARY_LIVE,
    variables: vars.summary,
    onData: ({ evaluationSummary: s }) => {
      analyticsError.value = null;
      evaluationSummary.value = s;
    },
    onError,
  });
  const stopRates = live<{ evaluationRatesWithPeriod: RatePoint[] }>({
    name: "evaluationRatesWithPeriod",
    query: EVALUATION_RATES_LIVE,
    variables: vars.rates,
    onData: ({ evaluationRatesWithPeriod: points }) => {
      const to = now();
      evaluationRates.value = { points, window: { from: to - spec.ms, to, intervalMinutes: spec.intervalMinutes } };
    },
    onError,
  });
  return () => {
    stopSummary();
    stopRates();
  };
}

/** Follows the team's evaluations for `filter` until the returned function is called. */
export function watchEvaluations(teamId: string, filter: AnalyticsFilter, options: WatchOptions = {}): () => void {
  const { now = Date.now, reanchorMs = REANCHOR_MS } = options;
  clear();
  const period = PERIODS[filter.period].apiPeriod;
  return period === null ? watchWindow(teamId, filter, now, reanchorMs) : watchPeriod(teamId, filter, period, now);
}
