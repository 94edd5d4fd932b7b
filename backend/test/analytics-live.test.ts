import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AnalyticsWorld, ingest, randomEvents, startAnalyticsWorld } from "./analytics-fixtures";
import { SETUP_TIMEOUT_MS } from "./support/server";
import { type SseStream, sseSubscribe } from "./support/subscriptions";

const MIN = 60_000;
const HOUR = 60 * MIN;

const SUMMARY = `subscription($teamId: ID, $input: EvaluationSummaryInput!) {
  evaluationSummary(teamId: $teamId, input: $input) { totalEvaluations uniqueUsers topFeatureKey generatedAt } }`;
const TOP = `subscription($teamId: ID, $input: EvaluationsByFeatureLiveInput!) {
  evaluationsByFeatureLive(teamId: $teamId, input: $input) { featureKey totalEvaluations sequence emittedAt } }`;
const DASHBOARD = `subscription($teamId: ID, $input: EvaluationRatesInput!) {
  evaluationDashboard(teamId: $teamId, input: $input) {
    rates { timeBucket evaluationCount } summary { totalEvaluations } generatedAt } }`;
const SYSTEM = `subscription($teamId: ID) { systemMetrics(teamId: $teamId) { totalClients evaluationsToday generatedAt } }`;

let w: AnalyticsWorld;
const streams: SseStream[] = [];
const url = () => `${w.server.url}/graphql`;
const open = async (query: string, variables: Record<string, unknown>, token?: string) => {
  const stream = await sseSubscribe(url(), query, variables, token);
  streams.push(stream);
  return stream;
};
const recent = (n: number, seed: number, keys = ["live"]) =>
  randomEvents(seed, n, { keys, envs: [w.envA1], from: Date.now() - 30 * MIN, to: Date.now(), users: 500 });

beforeAll(async () => {
  w = await startAnalyticsWorld();
  await ingest(w, w.clientA1, recent(20, 1));
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  for (const s of streams) s.close();
  await w.server.stop();
});

describe("live analytics", () => {
  test("emit at once, then only after new evaluations of the subscribed team", async () => {
    const summary = await open(SUMMARY, { teamId: w.teamA.id, input: { period: "PERIOD_24H" } }, w.viewer.token);
    expect((await summary.next())?.data?.evaluationSummary).toMatchObject({
      totalEvaluations: 20,
      topFeatureKey: "live",
    });
    await ingest(
      w,
      w.clientB,
      randomEvents(9, 50, { keys: ["b"], envs: [w.envB], from: Date.now() - MIN, to: Date.now(), users: 5 }),
    );
    expect(await summary.next(1_500)).toBeUndefined();
    await ingest(w, w.clientA2, recent(5, 2));
    expect((await summary.next())?.data?.evaluationSummary.totalEvaluations).toBe(25);
  });

  test("dashboard and system metrics emit their first result at once", async () => {
    const from = new Date(Date.now() - HOUR).toISOString();
    const to = new Date(Date.now() + HOUR).toISOString();
    const dashboard = await open(
      DASHBOARD,
      { teamId: w.teamA.id, input: { fromTime: from, toTime: to, intervalMinutes: 60 } },
      w.viewer.token,
    );
    const first = (await dashboard.next())?.data?.evaluationDashboard;
    expect(first.summary.totalEvaluations).toBe(25);
    expect(first.rates.reduce((n: number, p: { evaluationCount: number }) => n + p.evaluationCount, 0)).toBe(25);
    const system = await open(SYSTEM, { teamId: w.teamA.id }, w.viewer.token);
    expect((await system.next())?.data?.systemMetrics).toMatchObject({ totalClients: 2, evaluationsToday: 25 });
  });

  test("a burst of 10,000 evaluations: at most one recompute a second, and one after the burst", async () => {
    const top = await open(TOP, { teamId: w.teamA.id, input: { period: "PERIOD_24H", limit: 5 } }, w.viewer.token);
    type Row = { featureKey: string; totalEvaluations: number; sequence: number; emittedAt: string };
    const emissions: Row[][] = [(await top.next())?.data?.evaluationsByFeatureLive];
    const burstTotal = (rows: Row[]) =>
      rows.filter((r) => r.featureKey.startsWith("burst")).reduce((n, r) => n + r.totalEvaluations, 0);
    const collecting = (async () => {
      // PGlite runs one statement at a time, so a recompute may wait for the burst's writes: be patient
      while (burstTotal(emissions.at(-1) ?? []) < 10_000) {
        const next = await top.next(20_000);
        if (!next) return;
        emissions.push(next.data?.evaluationsByFeatureLive);
      }
    })();
    const started = Date.now();
    const burst = recent(10_000, 3, ["burst-a", "burst-b"]);
    for (let i = 0; i < burst.length; i += 500) await ingest(w, w.clientA1, burst.slice(i, i + 500));
    const burstMs = Date.now() - started;
    await collecting;
    expect(burstTotal(emissions.at(-1) ?? [])).toBe(10_000);
    const times = emissions.map((rows) => Date.parse(rows[0].emittedAt));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1_000);
    expect(emissions.map((rows) => rows[0].sequence)).toEqual(emissions.map((_, i) => i));
    // 20 batches, 20 notifications: at most one recompute per second of burst, plus the one after it
    expect(emissions.length - 1).toBeLessThanOrEqual(Math.ceil(burstMs / 1_000) + 1);
    expect(await top.next(1_500)).toBeUndefined();
  }, 120_000);

  test.each([
    ["anonymous", undefined, "UNAUTHENTICATED"],
    ["another team's admin", "outsider", "NOT_FOUND"],
  ] as const)("%s cannot subscribe (%s)", async (_, who, code) => {
    const token = who ? w[who].token : undefined;
    const stream = await open(SUMMARY, { teamId: w.teamA.id, input: { period: "PERIOD_24H" } }, token);
    const result = await stream.next();
    expect(result?.errors?.[0]?.extensions?.code ?? String(stream.status)).toBe(
      code === "UNAUTHENTICATED" && !result ? "401" : code,
    );
    expect(result?.data?.evaluationSummary ?? null).toBeNull();
  });
});
