import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { environments, featureStages, features } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";
import { applyRetention } from "../src/analytics/retention";
import {
  type AnalyticsWorld,
  compactAll,
  type Ev,
  ingest,
  randomEvents,
  rawRows,
  startAnalyticsWorld,
} from "./analytics-fixtures";
import { createTeam, createUser } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const KEYS = ["checkout", "search", "banner", "pricing"];

const POINT = "timeBucket evaluationCount successCount priorAssignmentCount successRate cacheHitRate";
const SUMMARY_FIELDS =
  "totalEvaluations successfulEvaluations cachedEvaluations uniqueUsers successRate cacheHitRate topFeatureKey";
const BY_FEATURE_FIELDS =
  "featureKey totalEvaluations successfulEvaluations cachedEvaluations uniqueUsers lastEvaluatedAt";
const SUMMARY = `query($teamId: ID, $input: EvaluationSummaryQueryInput!) {
  evaluationSummary(teamId: $teamId, input: $input) { ${SUMMARY_FIELDS} } }`;
const RATES = `query($teamId: ID, $input: EvaluationRatesInput!) { evaluationRates(teamId: $teamId, input: $input) { ${POINT} } }`;
const RATES_PERIOD = `query($teamId: ID, $input: EvaluationRatesInputWithPeriod!) {
  evaluationRatesWithPeriod(teamId: $teamId, input: $input) { ${POINT} } }`;
const BY_FEATURE = `query($teamId: ID, $fromTime: DateTime!, $toTime: DateTime!, $environmentId: ID, $clientId: ID,
  $limit: Int, $offset: Int) {
  evaluationsByFeature(teamId: $teamId, fromTime: $fromTime, toTime: $toTime, environmentId: $environmentId,
    clientId: $clientId, limit: $limit, offset: $offset) { ${BY_FEATURE_FIELDS} } }`;
const COUNT = `query($teamId: ID, $filter: EvaluationCountFilter!) { evaluationCount(teamId: $teamId, filter: $filter) }`;
const SYSTEM = `query($teamId: ID) { systemMetrics(teamId: $teamId) {
  totalFeatures activeClients totalClients evaluationsToday evaluationsYesterday successRate totalEvaluations7d
  successfulEvaluations7d generatedAt } }`;
const ROLLOUT = `query($teamId: ID) { rolloutMetrics(teamId: $teamId) { approvalRate featuresDeployedThisWeek
  featuresDeployedLastWeek deploymentChange bottleneckStage bottleneckDuration totalPendingApprovals averageTimeInPipeline } }`;
const GROWTH = `query($teamId: ID, $fromTime: DateTime!, $toTime: DateTime!, $interval: String!) {
  featureGrowth(teamId: $teamId, fromTime: $fromTime, toTime: $toTime, interval: $interval) {
    timeBucket teamId teamName featureCount cumulativeCount } }`;

let w: AnalyticsWorld;
let now: number;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  w = await startAnalyticsWorld();
  now = Date.now();
  const spec = { keys: KEYS, from: now - 20 * HOUR, to: now - 5 * MIN, users: 60 };
  await ingest(w, w.clientA1, randomEvents(1, 900, { ...spec, envs: [w.envA1, w.envA2] }), { batchSize: 250 });
  await ingest(w, w.clientA2, randomEvents(2, 600, { ...spec, envs: [w.envA1, w.envA2] }), { batchSize: 250 });
  await ingest(w, w.clientB, randomEvents(3, 400, { ...spec, envs: [w.envB] }));
}, SETUP_TIMEOUT_MS);
afterAll(() => w.server.stop());

/** Filters of the plain SQL over raw events, as the API takes them. */
interface RawFilter {
  teamId: string;
  from: number;
  key?: string;
  env?: string;
  client?: string;
}

const where = (f: RawFilter) => sql`team_id = ${f.teamId} and evaluated_at >= to_timestamp(${f.from / 1000})
  ${f.key ? sql`and feature_key = ${f.key}` : sql``} ${f.env ? sql`and environment_id = ${f.env}` : sql``}
  ${f.client ? sql`and client_id = ${f.client}` : sql``}`;

const rawTotals = sql`count(*)::float8 as "totalEvaluations",
  count(*) filter (where result)::float8 as "successfulEvaluations",
  count(*) filter (where prior_assignment)::float8 as "cachedEvaluations",
  count(distinct user_context)::int as "uniqueUsers",
  coalesce(round(100.0 * count(*) filter (where result) / nullif(count(*), 0), 2), 0)::float8 as "successRate",
  coalesce(round(100.0 * count(*) filter (where prior_assignment) / nullif(count(*), 0), 2), 0)::float8 as "cacheHitRate"`;

async function rawSummary(f: RawFilter) {
  const [totals] = await rawRows<Record<string, unknown>>(
    w,
    sql`select ${rawTotals} from evaluation_events where ${where(f)}`,
  );
  const [top] = await rawRows<{ k: string }>(
    w,
    sql`select feature_key as k from evaluation_events where ${where(f)} group by k order by count(*) desc, k limit 1`,
  );
  return { ...totals, topFeatureKey: top?.k ?? null };
}

async function rawRates(f: RawFilter, interval: number) {
  const width = interval * 60;
  const rows = await rawRows<Record<string, unknown> & { tb: Date }>(
    w,
    sql`select to_timestamp(floor(extract(epoch from evaluated_at) / ${width}) * ${width}) as tb,
          count(*)::float8 as "evaluationCount", count(*) filter (where result)::float8 as "successCount",
          count(*) filter (where prior_assignment)::float8 as "priorAssignmentCount",
          round(100.0 * count(*) filter (where result) / count(*), 2)::float8 as "successRate",
          round(100.0 * count(*) filter (where prior_assignment) / count(*), 2)::float8 as "cacheHitRate"
        from evaluation_events where ${where(f)} group by tb order by tb`,
  );
  return rows.map(({ tb, ...rest }) => ({ timeBucket: new Date(tb).toISOString(), ...rest }));
}

async function rawByFeature(f: RawFilter) {
  const rows = await rawRows<Record<string, unknown> & { last: Date }>(
    w,
    sql`select feature_key as "featureKey", count(*)::float8 as "totalEvaluations",
          count(*) filter (where result)::float8 as "successfulEvaluations",
          count(*) filter (where prior_assignment)::float8 as "cachedEvaluations",
          count(distinct user_context)::int as "uniqueUsers", max(evaluated_at) as last
        from evaluation_events where ${where(f)} group by 1 order by count(*) desc, 1`,
  );
  return rows.map(({ last, ...rest }) => ({ ...rest, lastEvaluatedAt: new Date(last).toISOString() }));
}

/** Every read compared with the same computation over the raw rows. */
async function expectCubeMatchesRawEvents() {
  const team = w.teamA.id;
  const dayAgo = Math.floor((Date.now() - DAY) / MIN) * MIN;
  const scopes: [Record<string, string>, Partial<RawFilter>][] = [
    [{}, {}],
    [{ environmentId: w.envA2 }, { env: w.envA2 }],
    [{ featureKey: "search" }, { key: "search" }],
    [
      { clientId: w.clientA1.id, environmentId: w.envA1 },
      { client: w.clientA1.id, env: w.envA1 },
    ],
  ];
  for (const [input, raw] of scopes) {
    const filter = { teamId: team, from: dayAgo, ...raw };
    const summary = dataOf(
      await w.gql(SUMMARY, { teamId: team, input: { period: "PERIOD_24H", ...input } }, w.viewer.token),
    );
    expect(summary.evaluationSummary).toEqual(await rawSummary(filter));
    const from = Math.floor((Date.now() - 23 * HOUR) / MIN) * MIN;
    for (const interval of Object.keys(input).length === 0 ? [1, 7, 60] : [7]) {
      const rates = dataOf(
        await w.gql(
          RATES,
          {
            teamId: team,
            input: { ...input, fromTime: iso(from), toTime: iso(Date.now()), intervalMinutes: interval },
          },
          w.viewer.token,
        ),
      );
      expect(rates.evaluationRates).toEqual(await rawRates({ ...filter, from }, interval));
    }
    const period = dataOf(
      await w.gql(
        RATES_PERIOD,
        { teamId: team, input: { ...input, period: "PERIOD_7D", intervalMinutes: 15 } },
        w.viewer.token,
      ),
    );
    expect(period.evaluationRatesWithPeriod).toEqual(await rawRates({ ...filter, from: 0 }, 15));
  }
  const byFeature = dataOf(
    await w.gql(
      BY_FEATURE,
      { teamId: team, fromTime: iso(dayAgo), toTime: iso(Date.now()), environmentId: w.envA1 },
      w.viewer.token,
    ),
  );
  expect(byFeature.evaluationsByFeature).toEqual(await rawByFeature({ teamId: team, from: dayAgo, env: w.envA1 }));
  const count = dataOf(
    await w.gql(
      COUNT,
      { teamId: team, filter: { fromDate: iso(dayAgo), toDate: iso(Date.now()), clientId: w.clientA2.id } },
      w.viewer.token,
    ),
  );
  const [raw] = await rawRows<{ n: number }>(
    w,
    sql`select count(*)::float8 as n from evaluation_events where ${where({ teamId: team, from: dayAgo, client: w.clientA2.id })}`,
  );
  expect(count.evaluationCount).toBe(raw.n);
}

describe("evaluation analytics, served from the cube", () => {
  test("summaries, rates, per-flag rows and counts equal the same SQL over the raw events, before and after compaction", async () => {
    await expectCubeMatchesRawEvents();
    await compactAll(w);
    const [pending] = await rawRows<{ n: number }>(w, sql`select count(*)::int as n from evaluation_deltas`);
    expect(pending.n).toBe(0);
    await expectCubeMatchesRawEvents();
  }, 120_000);

  test("buckets are evaluation times floored to whole intervals since the epoch (10:37 → 10:35 at 5 minutes)", async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const at = hour + 37 * MIN + 15_000;
    await ingest(w, w.clientA1, [{ key: "floored", env: w.envA1, at, result: true, prior: false, user: "u" }]);
    const rates = async (intervalMinutes: number) =>
      dataOf(
        await w.gql(
          RATES,
          {
            teamId: w.teamA.id,
            input: { featureKey: "floored", fromTime: iso(hour), toTime: iso(hour + HOUR), intervalMinutes },
          },
          w.viewer.token,
        ),
      ).evaluationRates.map((p: { timeBucket: string }) => p.timeBucket);
    expect(await rates(5)).toEqual([iso(hour + 35 * MIN)]);
    expect(await rates(60)).toEqual([iso(hour)]);
    expect(await rates(7)).toEqual([iso(Math.floor(at / (7 * MIN)) * 7 * MIN)]);
  });

  test("evaluations arriving after their hour was sealed still count, users included (late deltas)", async () => {
    await compactAll(w);
    const [{ sealed }] = await rawRows<{ sealed: number }>(
      w,
      sql`select (extract(epoch from sealed_until) * 1000)::float8 as sealed from analytics_watermarks where grain = 60`,
    );
    const at = sealed - 90 * MIN;
    const late = ["a", "b", "c", "b"].map((user, i) => ({
      key: "late",
      env: w.envA2,
      at: at + i * MIN,
      result: true,
      prior: false,
      user,
    }));
    await ingest(w, w.clientA2, late);
    await compactAll(w);
    const [hourRows] = await rawRows<{ n: number }>(
      w,
      sql`select count(*)::int as n from evaluation_user_sketches where feature_key = 'late' and grain = 60`,
    );
    expect(hourRows.n).toBeGreaterThan(0);
    const summary = dataOf(
      await w.gql(SUMMARY, { teamId: w.teamA.id, input: { period: "PERIOD_24H", featureKey: "late" } }, w.viewer.token),
    ).evaluationSummary;
    expect(summary).toMatchObject({ totalEvaluations: 4, uniqueUsers: 3, topFeatureKey: "late" });
  });

  test("an edge's counters are the counts when it dropped raw detail; its few events still name users", async () => {
    const minute = Math.floor((Date.now() - 2 * HOUR) / MIN) * MIN;
    const counter = { feature_key: "counted", environment_id: w.envA1, variant: "on", minute_unix_ms: minute };
    await ingest(
      w,
      w.clientA2,
      [{ key: "counted", env: w.envA1, at: minute + 5_000, result: true, prior: false, user: "kept" }],
      {
        counters: [
          { ...counter, result: true, evaluation_count: 700, cached_count: 100 },
          { ...counter, variant: "off", result: false, evaluation_count: 300, cached_count: 0 },
        ],
      },
    );
    const summary = dataOf(
      await w.gql(
        SUMMARY,
        { teamId: w.teamA.id, input: { period: "PERIOD_24H", featureKey: "counted" } },
        w.viewer.token,
      ),
    ).evaluationSummary;
    expect(summary).toEqual({
      totalEvaluations: 1000,
      successfulEvaluations: 700,
      cachedEvaluations: 100,
      uniqueUsers: 1,
      successRate: 70,
      cacheHitRate: 10,
      topFeatureKey: "counted",
    });
  });

  test("system metrics count the team's flags and clients, and evaluations today, yesterday and over 7 days", async () => {
    const m = dataOf(await w.gql(SYSTEM, { teamId: w.teamB.id }, w.outsider.token)).systemMetrics;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const [raw] = await rawRows<Record<string, number>>(
      w,
      sql`select count(*) filter (where evaluated_at >= to_timestamp(${today / 1000}))::float8 as today,
            count(*) filter (where evaluated_at < to_timestamp(${today / 1000}))::float8 as yesterday,
            count(*)::float8 as week, count(*) filter (where result)::float8 as ok
          from evaluation_events where team_id = ${w.teamB.id}`,
    );
    expect(m).toMatchObject({
      totalFeatures: 0,
      activeClients: 1,
      totalClients: 1,
      evaluationsToday: raw.today,
      evaluationsYesterday: raw.yesterday,
      totalEvaluations7d: raw.week,
      successfulEvaluations7d: raw.ok,
      successRate: Math.round((raw.ok * 10_000) / raw.week) / 100,
    });
  });
});

describe("team scoping", () => {
  const summaryOf = async (token: string, teamId?: string, input: Record<string, unknown> = {}) =>
    w.gql(SUMMARY, { teamId, input: { period: "PERIOD_7D", ...input } }, token);

  test("a team's numbers hold only its own evaluations; an administrator without teamId sees every team", async () => {
    const a = dataOf(await summaryOf(w.viewer.token, w.teamA.id)).evaluationSummary.totalEvaluations;
    const b = dataOf(await summaryOf(w.outsider.token, w.teamB.id)).evaluationSummary.totalEvaluations;
    // delivery's own per-minute rollups (they hold the counters-only batch too)
    const since = Math.floor((Date.now() - 7 * DAY) / MIN) * MIN;
    const [raw] = await rawRows<{ a: number; b: number; all: number }>(
      w,
      sql`select coalesce(sum(evaluation_count) filter (where team_id = ${w.teamA.id}), 0)::float8 as a,
            coalesce(sum(evaluation_count) filter (where team_id = ${w.teamB.id}), 0)::float8 as b,
            sum(evaluation_count)::float8 as all
          from evaluation_rollups where bucket >= to_timestamp(${since / 1000})`,
    );
    expect([a, b]).toEqual([raw.a, raw.b]);
    expect(dataOf(await summaryOf(w.admin.token)).evaluationSummary.totalEvaluations).toBe(raw.all);
  });

  test.each([
    ["another team", "NOT_FOUND", () => summaryOf(w.outsider.token, w.teamA.id)],
    ["a team that does not exist (administrator)", "NOT_FOUND", () => summaryOf(w.admin.token, crypto.randomUUID())],
    ["no teamId (not an administrator)", "BAD_USER_INPUT", () => summaryOf(w.viewer.token)],
    ["another team's environment", "NOT_FOUND", () => summaryOf(w.viewer.token, w.teamA.id, { environmentId: w.envB })],
    ["another team's client", "NOT_FOUND", () => summaryOf(w.viewer.token, w.teamA.id, { clientId: w.clientB.id })],
    ["an unknown client", "NOT_FOUND", () => summaryOf(w.viewer.token, w.teamA.id, { clientId: crypto.randomUUID() })],
    ["another team's rollout metrics", "NOT_FOUND", () => w.gql(ROLLOUT, { teamId: w.teamA.id }, w.outsider.token)],
    ["another team's system metrics", "NOT_FOUND", () => w.gql(SYSTEM, { teamId: w.teamB.id }, w.viewer.token)],
    ["anonymous", "UNAUTHENTICATED", () => w.gql(SUMMARY, { teamId: w.teamA.id, input: { period: "PERIOD_24H" } })],
  ])("%s → %s", async (_, code, call) => {
    const result = await call();
    expect(codeOf(result)).toBe(code);
    expect(result.data?.evaluationSummary ?? null).toBeNull();
  });
});

describe("bad input is refused before any query runs", () => {
  const later = (ms: number) => iso(Date.now() + ms);
  const rates = (input: Record<string, unknown>) =>
    w.gql(
      RATES,
      { teamId: w.teamA.id, input: { fromTime: later(-HOUR), toTime: later(0), intervalMinutes: 5, ...input } },
      w.viewer.token,
    );
  test.each([
    ["interval 0", () => rates({ intervalMinutes: 0 }), "input.intervalMinutes"],
    ["interval 61", () => rates({ intervalMinutes: 61 }), "input.intervalMinutes"],
    ["toTime before fromTime", () => rates({ toTime: later(-2 * HOUR) }), "input.toTime"],
    ["a rates window over 24 hours", () => rates({ fromTime: later(-25 * HOUR) }), "input.toTime"],
    ["fromTime in the future", () => rates({ fromTime: later(HOUR), toTime: later(2 * HOUR) }), "input.fromTime"],
    ["a client id that is not a UUID", () => rates({ clientId: "edge-1" }), "input.clientId"],
    ["a feature key over 100 characters", () => rates({ featureKey: "k".repeat(101) }), "input.featureKey"],
    [
      "an unknown period",
      () => w.gql(SUMMARY, { teamId: w.teamA.id, input: { period: "PERIOD_1Y" } }, w.viewer.token),
      undefined,
    ],
    [
      "a period rates interval of 90",
      () =>
        w.gql(
          RATES_PERIOD,
          { teamId: w.teamA.id, input: { period: "PERIOD_24H", intervalMinutes: 90 } },
          w.viewer.token,
        ),
      "input.intervalMinutes",
    ],
    [
      "a per-flag window over 30 days",
      () => w.gql(BY_FEATURE, { teamId: w.teamA.id, fromTime: later(-31 * DAY), toTime: later(0) }, w.viewer.token),
      "toTime",
    ],
    [
      "a per-flag limit of 101",
      () =>
        w.gql(BY_FEATURE, { teamId: w.teamA.id, fromTime: later(-DAY), toTime: later(0), limit: 101 }, w.viewer.token),
      "limit",
    ],
    [
      "a count ending before it starts",
      () => w.gql(COUNT, { teamId: w.teamA.id, filter: { fromDate: later(0), toDate: later(-DAY) } }, w.viewer.token),
      "filter.toDate",
    ],
    [
      "a growth interval of 'year'",
      () =>
        w.gql(
          GROWTH,
          { teamId: w.teamA.id, fromTime: later(-DAY), toTime: later(0), interval: "year" },
          w.viewer.token,
        ),
      "interval",
    ],
    [
      "a malformed teamId",
      () => w.gql(SUMMARY, { teamId: "team-a", input: { period: "PERIOD_24H" } }, w.viewer.token),
      "teamId",
    ],
  ])("%s → BAD_USER_INPUT", async (_, call, field) => {
    const result = await call();
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    if (field) expect(result.errors?.[0]?.extensions?.field).toBe(field);
  });
});

describe("rollout metrics and feature growth", () => {
  test("rollout metrics come from the stages' current status (reference §8.5)", async () => {
    const db = w.server.backend.deps.db;
    const t = Date.now();
    const weekStart = (() => {
      const d = new Date(Math.floor(t / DAY) * DAY);
      return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
    })();
    const [prod, dev] = await db
      .insert(environments)
      .values([
        { teamId: w.teamA.id, name: "rollout-prod" },
        { teamId: w.teamA.id, name: "rollout-dev" },
      ])
      .returning({ id: environments.id });
    const flags = await db
      .insert(features)
      .values(["r1", "r2", "r3", "r4"].map((key) => ({ teamId: w.teamA.id, key, salt: key })))
      .returning({ id: features.id });
    const stage = (i: number, env: string, status: string, times: { requested?: number; approved?: number }) => ({
      featureId: flags[i].id,
      environmentId: env,
      orderIndex: env === prod.id ? 1 : 0,
      status,
      requestedTime: times.requested ? new Date(times.requested) : null,
      approvedTime: times.approved ? new Date(times.approved) : null,
    });
    await db.insert(featureStages).values([
      stage(0, prod.id, "DEPLOYED", { requested: t - 3 * HOUR, approved: t - HOUR / 2 }), // this week (or just before)
      stage(1, prod.id, "DEPLOYED", { requested: weekStart - 2 * DAY - 4 * HOUR, approved: weekStart - 2 * DAY }),
      stage(0, dev.id, "DEPLOYMENT_REJECTED", {}),
      stage(2, prod.id, "DEPLOYMENT_REQUESTED", { requested: t - 5 * HOUR }),
      stage(3, prod.id, "DEPLOYMENT_REQUESTED", { requested: t - 3 * HOUR }),
      stage(2, dev.id, "DEPLOYMENT_REQUESTED", { requested: t - HOUR }),
    ]);
    const thisWeek = t - HOUR / 2 >= weekStart ? 1 : 0;
    const m = dataOf(await w.gql(ROLLOUT, { teamId: w.teamA.id }, w.viewer.token)).rolloutMetrics;
    expect(m).toMatchObject({
      approvalRate: 66.67,
      featuresDeployedThisWeek: thisWeek,
      featuresDeployedLastWeek: 2 - thisWeek,
      deploymentChange: thisWeek ? 0 : -100,
      bottleneckStage: "rollout-prod",
      totalPendingApprovals: 3,
      averageTimeInPipeline: 3.25,
    });
    expect(m.bottleneckDuration).toBeCloseTo(4, 1);
    const empty = dataOf(await w.gql(ROLLOUT, { teamId: w.teamB.id }, w.outsider.token)).rolloutMetrics;
    expect(empty).toEqual({
      approvalRate: 0,
      featuresDeployedThisWeek: 0,
      featuresDeployedLastWeek: 0,
      deploymentChange: 0,
      bottleneckStage: "None",
      bottleneckDuration: 0,
      totalPendingApprovals: 0,
      averageTimeInPipeline: 0,
    });
  });

  test("feature growth counts flags created per day and team, with a running total within the window", async () => {
    const db = w.server.backend.deps.db;
    const day = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
    await db.insert(features).values(
      [0, 0, 2, 5].map((d, i) => ({
        teamId: w.teamB.id,
        key: `grown-${i}`,
        salt: `grown-${i}`,
        createdAt: new Date(day + d * DAY + HOUR),
      })),
    );
    const points = dataOf(
      await w.gql(
        GROWTH,
        { teamId: w.teamB.id, fromTime: iso(day), toTime: iso(day + 3 * DAY), interval: "day" },
        w.outsider.token,
      ),
    ).featureGrowth;
    expect(points).toEqual([
      { timeBucket: iso(day), teamId: w.teamB.id, teamName: w.teamB.name, featureCount: 2, cumulativeCount: 2 },
      {
        timeBucket: iso(day + 2 * DAY),
        teamId: w.teamB.id,
        teamName: w.teamB.name,
        featureCount: 1,
        cumulativeCount: 3,
      },
    ]);
  });
});

/** A new team (with a Team Admin), one environment named `name` and an id for a client of that team. */
async function teamOfItsOwn(name: string) {
  const admin = w.admin.token;
  const team = await createTeam(w.gql, admin);
  const member = await createUser(w.gql, admin, { teamId: team.id, role: "Team Admin" });
  const env = dataOf(
    await w.gql(
      `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id } }`,
      { teamId: team.id, input: { name, active: true } },
      member.token,
    ),
  ).createEnvironment.id as string;
  const client = { id: crypto.randomUUID(), teamId: team.id } as typeof w.clientA1;
  return { team, env, client };
}

describe("retention", () => {
  test("removes raw events past 7 days, rollups, cube rows and user sketches past 90, and nothing newer", async () => {
    const { team, env, client } = await teamOfItsOwn("retained");
    const at = (daysAgo: number): Ev => ({
      key: "old",
      env,
      at: Date.now() - daysAgo * DAY,
      result: true,
      prior: false,
      user: "u",
    });
    await ingest(w, client, [at(100), at(10), at(1)]);
    await compactAll(w);
    const counts = async () =>
      (
        await rawRows<Record<string, number>>(
          w,
          sql`select (select count(*) from evaluation_events where team_id = ${team.id})::int as events,
                (select count(*) from evaluation_rollups where team_id = ${team.id})::int as rollups,
                (select count(*) from evaluation_cube where team_id = ${team.id} and grain = 1)::int as minutes,
                (select count(*) from evaluation_cube where team_id = ${team.id} and grain = 1440)::int as days,
                (select count(*) from evaluation_user_sketches where team_id = ${team.id} and grain = 1)::int as sketches`,
        )
      )[0];
    // 8 cube rows per minute, hour and day: every combination of flag, environment and client
    expect(await counts()).toEqual({ events: 3, rollups: 3, minutes: 24, days: 24, sketches: 24 });
    const result = await applyRetention(w.server.backend.deps, { chunk: 2 });
    expect(result.completed).toBe(true);
    expect(await counts()).toEqual({ events: 1, rollups: 2, minutes: 16, days: 16, sketches: 16 });
    const others = await rawRows<{ n: number }>(
      w,
      sql`select count(*)::int as n from evaluation_events where team_id <> ${team.id}`,
    );
    expect(others[0].n).toBeGreaterThan(1900);
  });
});

describe("windows ending now", () => {
  test("evaluations stamped after now (an edge clock ahead) count in no window ending now; the last evaluation stays the window's", async () => {
    const admin = w.admin.token;
    const { team, env, client } = await teamOfItsOwn("ahead");
    const start = Date.now();
    const ev = (key: string, at: number): Ev => ({ key, env, at, result: true, prior: false, user: "u" });
    // "late" is evaluated in the window and again a few minutes ahead; "early" only in the window
    await ingest(w, client, [ev("late", start - 2 * MIN), ev("late", start + 4 * MIN), ev("early", start - 3 * MIN)]);
    const check = async () => {
      const to = Date.now();
      const rows = dataOf(
        await w.gql(BY_FEATURE, { teamId: team.id, fromTime: iso(to - DAY), toTime: iso(to) }, admin),
      ).evaluationsByFeature;
      expect(rows.map((r: Record<string, unknown>) => [r.featureKey, r.totalEvaluations, r.lastEvaluatedAt])).toEqual([
        ["early", 1, iso(start - 3 * MIN)],
        ["late", 1, iso(start - 2 * MIN)],
      ]);
      const m = dataOf(await w.gql(SYSTEM, { teamId: team.id }, admin)).systemMetrics;
      const today = Math.floor(to / DAY) * DAY;
      expect(m.totalEvaluations7d).toBe(2);
      expect(m.evaluationsToday + m.evaluationsYesterday).toBe(2);
      expect(m.evaluationsToday).toBe([start - 2 * MIN, start - 3 * MIN].filter((t) => t >= today).length);
    };
    await check();
    await compactAll(w);
    await check();
  });
});
