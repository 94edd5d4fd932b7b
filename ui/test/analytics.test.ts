import { describe, expect, test } from "bun:test";
import { type DocumentNode, type GraphQLSchema, parse, validate } from "graphql";
import { getVariableValues } from "graphql/execution/values.js";
import {
  type AnalyticsFilter,
  analyticsFilterFor,
  EVALUATION_DASHBOARD,
  EVALUATION_RATES_LIVE,
  evaluationRates,
  evaluationSummary,
  evaluationVariables,
  setAnalyticsFilter,
  timeline,
  watchEvaluations,
} from "../src/models/analytics.ts";
import { EVALUATION_SUMMARY_LIVE } from "../src/models/evaluation-summary.ts";
import { countOf, formatCount, formatInterval, formatPercent, share } from "../src/models/numbers.ts";
import {
  daySummary,
  overviewVariables,
  SYSTEM_METRICS_LIVE,
  systemMetrics,
  TOP_FEATURES_LIVE,
  topFeatures,
  watchOverview,
} from "../src/models/overview.ts";
import { bucketStart, buildTimeline, type RatePoint, timelineTotal } from "../src/models/timeline.ts";
import { fakeSseBackend, tick } from "./fake-sse.ts";
import { loadSchema } from "./schema-server.ts";

const TEAM = "7d9f0c36-5a0e-4b8e-9c55-3f2c3c1f0a01";
const ENV = "00000000-0000-4000-8000-000000000001";
const NOW = Date.parse("2026-11-25T12:34:56.000Z");

const point = (timeBucket: string, evaluationCount: number, successCount: number, prior = 0): RatePoint => ({
  timeBucket,
  evaluationCount,
  successCount,
  priorAssignmentCount: prior,
  successRate: Math.round((successCount / evaluationCount) * 10000) / 100,
  cacheHitRate: Math.round((prior / evaluationCount) * 10000) / 100,
});

const summary = (totalEvaluations: number, extra: Partial<Record<string, unknown>> = {}) => ({
  totalEvaluations,
  successfulEvaluations: totalEvaluations,
  cachedEvaluations: 0,
  uniqueUsers: totalEvaluations,
  successRate: totalEvaluations ? 100 : 0,
  cacheHitRate: 0,
  topFeatureKey: totalEvaluations ? "checkout" : null,
  generatedAt: new Date(NOW).toISOString(),
  ...extra,
});

describe("timeline", () => {
  test("buckets are floored to a multiple of the interval since the epoch, as the backend floors them", () => {
    expect(new Date(bucketStart(NOW, 15)).toISOString()).toBe("2026-11-25T12:30:00.000Z");
    expect(new Date(bucketStart(NOW, 7)).toISOString()).toBe(
      new Date(Math.floor(NOW / 420_000) * 420_000).toISOString(),
    );
    expect(new Date(bucketStart(NOW, 60)).toISOString()).toBe("2026-11-25T12:00:00.000Z");
  });

  test("every bucket of the window gets a slot; empty ones count 0 and have no rates", () => {
    const t = buildTimeline([point("2026-11-25T12:15:00.000Z", 4, 3, 1), point("2026-11-25T11:45:00.000Z", 2, 2)], {
      from: NOW - 3_600_000,
      to: NOW,
      intervalMinutes: 15,
    });
    expect(t.x.map((s) => new Date(s * 1000).toISOString().slice(11, 16))).toEqual([
      "11:30",
      "11:45",
      "12:00",
      "12:15",
      "12:30",
    ]);
    expect(t.evaluations).toEqual([0, 2, 0, 4, 0]);
    expect(t.successRate).toEqual([null, 100, null, 75, null]);
    expect(t.cacheHitRate).toEqual([null, 0, null, 25, null]);
    expect(timelineTotal(t)).toBe(6);
  });

  test("a point outside the window (the browser's clock behind the server's) widens it instead of vanishing", () => {
    const t = buildTimeline([point("2026-11-25T12:36:00.000Z", 5, 5)], {
      from: NOW - 120_000,
      to: NOW,
      intervalMinutes: 1,
    });
    // 12:32 … 12:34 is the window, 12:36 the point
    expect(t.evaluations).toEqual([0, 0, 0, 0, 5]);
  });

  test("an empty window is all zeros", () => {
    const t = buildTimeline([], { from: NOW - 3_600_000, to: NOW, intervalMinutes: 1 });
    expect(t.x.length).toBe(61);
    expect(timelineTotal(t)).toBe(0);
    expect(t.successRate.every((r) => r === null)).toBe(true);
  });
});

describe("numbers", () => {
  test.each([
    [0, "0"],
    [999, "999"],
    [1234, "1,234"],
    [999_999, "999,999"],
    [1_250_000, "1.3M"],
    [3_400_000_000, "3.4B"],
  ])("count %p is written %p", (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  test.each([
    [100, true, "100 %"],
    [98.46, true, "98.5 %"],
    [0, true, "0 %"],
    [0, false, "—"],
    [Number.NaN, true, "—"],
  ])("percentage %p (measured %p) is written %p", (p, measured, text) => {
    expect(formatPercent(p, measured)).toBe(text);
  });

  test("shares, plurals and intervals", () => {
    expect(share(1, 4)).toBe(25);
    expect(formatPercent(share(0, 0))).toBe("—");
    expect([countOf(1, "flag"), countOf(2, "flag"), countOf(1200, "client")]).toEqual([
      "1 flag",
      "2 flags",
      "1,200 clients",
    ]);
    expect([formatInterval(1), formatInterval(15), formatInterval(60)]).toEqual(["1 min", "15 min", "1 h"]);
  });
});

const filter = (patch: Partial<AnalyticsFilter> = {}): AnalyticsFilter => ({
  period: "1h",
  featureKey: "",
  environmentId: "",
  clientId: "",
  ...patch,
});

describe("evaluation analytics model", () => {
  test("the last hour is one evaluationDashboard stream over an explicit window, filters as nulls", async () => {
    const backend = fakeSseBackend();
    const stop = watchEvaluations(TEAM, filter({ environmentId: ENV }), { now: () => NOW });
    await tick();
    const [stream] = backend.open("EvaluationDashboard");
    expect(backend.streams.length).toBe(1);
    expect(stream.variables).toEqual({
      teamId: TEAM,
      input: {
        featureKey: null,
        environmentId: ENV,
        clientId: null,
        fromTime: "2026-11-25T11:34:56.000Z",
        toTime: "2026-11-26T11:34:56.000Z",
        intervalMinutes: 1,
      },
    });
    stream.send({
      evaluationDashboard: {
        generatedAt: new Date(NOW).toISOString(),
        rates: [point("2026-11-25T12:34:00.000Z", 25, 25)],
        summary: summary(25),
      },
    });
    await tick();
    expect(evaluationSummary.value?.totalEvaluations).toBe(25);
    expect(timeline.value?.x.length).toBe(61);
    expect(timeline.value?.evaluations.at(-1)).toBe(25);
    stop();
    await tick();
    expect(stream.closed).toBe(true);
  });

  test("the last hour's window is re-anchored: a fresh stream replaces the old one, starting an hour before", async () => {
    const backend = fakeSseBackend();
    let clock = NOW;
    const stop = watchEvaluations(TEAM, filter(), { now: () => clock, reanchorMs: 40 });
    await tick();
    clock += 5 * 60_000;
    await tick(60);
    const streams = backend.streams.filter((s) => s.operationName === "EvaluationDashboard");
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(backend.open("EvaluationDashboard").length).toBe(1);
    const latest = backend.open("EvaluationDashboard")[0].variables.input as { fromTime: string };
    expect(latest.fromTime).toBe(new Date(clock - 3_600_000).toISOString());
    stop();
    await tick();
    expect(backend.open("EvaluationDashboard").length).toBe(0);
  });

  test("a longer period is the rolling summary and rates streams; each emission replaces the numbers", async () => {
    const backend = fakeSseBackend();
    const stop = watchEvaluations(TEAM, filter({ period: "7d", featureKey: "checkout" }), { now: () => NOW });
    await tick();
    const [summaryStream] = backend.open("EvaluationSummaryLive");
    const [ratesStream] = backend.open("EvaluationRatesLive");
    expect(summaryStream.variables).toEqual({
      teamId: TEAM,
      input: { featureKey: "checkout", environmentId: null, clientId: null, period: "PERIOD_7D" },
    });
    expect(ratesStream.variables).toEqual({
      teamId: TEAM,
      input: { featureKey: "checkout", environmentId: null, clientId: null, period: "PERIOD_7D", intervalMinutes: 60 },
    });
    summaryStream.send({ evaluationSummary: summary(3) });
    ratesStream.send({ evaluationRatesWithPeriod: [point("2026-11-25T12:00:00.000Z", 3, 3)] });
    await tick();
    expect(evaluationSummary.value?.totalEvaluations).toBe(3);
    expect(timeline.value?.x.length).toBe(7 * 24 + 1);
    summaryStream.send({ evaluationSummary: summary(8) });
    ratesStream.send({ evaluationRatesWithPeriod: [point("2026-11-25T12:00:00.000Z", 8, 8)] });
    await tick();
    expect(evaluationSummary.value?.totalEvaluations).toBe(8);
    expect(timeline.value && timelineTotal(timeline.value)).toBe(8);
    // the streams stay the ones they were: an emission does not resubscribe
    expect(backend.streams.length).toBe(2);
    stop();
    await tick();
    expect(backend.open("EvaluationSummaryLive").length + backend.open("EvaluationRatesLive").length).toBe(0);
  });

  test("changing the filter starts from nothing: no number of the previous filter is shown", async () => {
    const backend = fakeSseBackend();
    let stop = watchEvaluations(TEAM, filter(), { now: () => NOW });
    await tick();
    backend.open("EvaluationDashboard")[0].send({
      evaluationDashboard: { generatedAt: new Date(NOW).toISOString(), rates: [], summary: summary(4) },
    });
    await tick();
    expect(evaluationSummary.value?.totalEvaluations).toBe(4);
    stop();
    stop = watchEvaluations(TEAM, filter({ period: "30d" }), { now: () => NOW });
    expect(evaluationSummary.value).toBeUndefined();
    expect(evaluationRates.value).toBeUndefined();
    stop();
  });
});

describe("analytics filter", () => {
  test("a flag, environment or client chosen for one team does not carry over to another; the period does", () => {
    const other = "00000000-0000-4000-8000-0000000000bb";
    setAnalyticsFilter(TEAM, { period: "7d", featureKey: "checkout", environmentId: ENV, clientId: ENV });
    expect(analyticsFilterFor(TEAM)).toEqual({
      period: "7d",
      featureKey: "checkout",
      environmentId: ENV,
      clientId: ENV,
    });
    expect(analyticsFilterFor(other)).toEqual({ period: "7d", featureKey: "", environmentId: "", clientId: "" });
    setAnalyticsFilter(other, { clientId: "c2" });
    expect(analyticsFilterFor(other)).toEqual({ period: "7d", featureKey: "", environmentId: "", clientId: "c2" });
  });
});

describe("overview model", () => {
  test("system metrics, the day's summary and the top flags each follow their own stream", async () => {
    const backend = fakeSseBackend();
    const stop = watchOverview(TEAM);
    await tick();
    expect(backend.streams.map((s) => s.operationName).sort()).toEqual([
      "EvaluationSummaryLive",
      "SystemMetricsLive",
      "TopFeaturesLive",
    ]);
    backend.open("TopFeaturesLive")[0].send({
      evaluationsByFeatureLive: [
        {
          featureKey: "checkout",
          totalEvaluations: 9,
          successfulEvaluations: 6,
          cachedEvaluations: 0,
          uniqueUsers: 4,
          lastEvaluatedAt: new Date(NOW).toISOString(),
        },
      ],
    });
    backend.open("EvaluationSummaryLive")[0].send({ evaluationSummary: summary(9) });
    backend.open("SystemMetricsLive")[0].send({
      systemMetrics: {
        totalFeatures: 3,
        activeClients: 1,
        totalClients: 2,
        evaluationsToday: 9,
        evaluationsYesterday: 0,
        successRate: 66.67,
        totalEvaluations7d: 9,
        successfulEvaluations7d: 6,
        generatedAt: new Date(NOW).toISOString(),
      },
    });
    await tick();
    expect(topFeatures.value?.[0].featureKey).toBe("checkout");
    expect(daySummary.value?.totalEvaluations).toBe(9);
    expect(systemMetrics.value?.totalClients).toBe(2);
    stop();
  });
});

const schema = loadSchema();

function checkOperation(s: GraphQLSchema, query: string, variables: Record<string, unknown>): string[] {
  const document: DocumentNode = parse(query);
  const invalid = validate(s, document).map((e) => e.message);
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
  if (operation?.kind !== "OperationDefinition") return [...invalid, "no operation"];
  const coerced = getVariableValues(s, operation.variableDefinitions ?? [], variables);
  return [...invalid, ...(coerced.errors ?? []).map((e) => e.message)];
}

describe.skipIf(!schema)("the analytics subscriptions are valid against backend/schema.graphql", () => {
  const periods = ["1h", "24h", "7d", "30d"] as const;
  test.each(periods)("evaluation analytics for %p, with every filter", (period) => {
    const vars = evaluationVariables(
      TEAM,
      filter({ period, featureKey: "checkout", environmentId: ENV, clientId: ENV }),
      NOW,
    );
    const errors =
      vars.kind === "window"
        ? checkOperation(schema!, EVALUATION_DASHBOARD, vars.dashboard)
        : [
            ...checkOperation(schema!, EVALUATION_SUMMARY_LIVE, vars.summary),
            ...checkOperation(schema!, EVALUATION_RATES_LIVE, vars.rates),
          ];
    expect(errors).toEqual([]);
  });

  test("overview", () => {
    const vars = overviewVariables(TEAM);
    expect([
      ...checkOperation(schema!, SYSTEM_METRICS_LIVE, vars.metrics),
      ...checkOperation(schema!, EVALUATION_SUMMARY_LIVE, vars.summary),
      ...checkOperation(schema!, TOP_FEATURES_LIVE, vars.top),
    ]).toEqual([]);
  });
});
