/**
 * Analytics bench on a real Postgres (a temporary database, dropped afterwards):
 *  1. history — 10 million evaluations over the last 7 days (200 flags × 3 environments × 5 clients, a few hot
 *     flags taking most of the traffic, 50,000 users) written with SQL `generate_series` straight into the cube and
 *     the minute user sketches (1 million ingest-sized deltas of ~10 evaluations), then hours and days sealed by
 *     the real sealing code; `--raw` also stores 10 million raw events (dashboards never read them);
 *  2. ingest — batches of 5,000 events through delivery's `ingestEvaluations` (events, rollups and the analytics
 *     deltas in one statement), 4 in flight, with the compaction job folding deltas into the cube meanwhile:
 *     events/s, analytics' own share of a batch, compaction deltas/s;
 *  3. dashboard queries — p50/p95 of each query as the GraphQL resolvers run it (service functions, a Viewer of
 *     the team), with its answers checked against the generated totals.
 *
 * `bun run bench:analytics [--quick] [--raw] [--json <file>] [--keep]` (quick: 1 million evaluations, fewer rounds;
 * --json writes the bench suite's ScenarioRun; --keep leaves the database for a look). Postgres: TEST_DATABASE_URL / DATABASE_URL, else 127.0.0.1:5432.
 * Targets: ingest ≥ 50,000 events/s; every dashboard query ≤ 50 ms p95 with 10 million evaluations stored.
 */
import { availableParallelism, loadavg } from "node:os";
import { type DatabaseHandle, type Db, executeRows, openDatabase } from "@fluxgate/drizzle";
import type { FeatureEvaluationEvent } from "@fluxgate/proto";
import { type SQL, sql } from "drizzle-orm";
import type { Actor } from "../../backend/src/actor.ts";
import { compactOnce, sealOnce } from "../../backend/src/analytics/compaction.ts";
import { batchDeltas } from "../../backend/src/analytics/deltas.ts";
import { analyticsDeltasCte } from "../../backend/src/analytics/ingest-repository.ts";
import { systemMetrics } from "../../backend/src/analytics/metrics-service.ts";
import * as analytics from "../../backend/src/analytics/service.ts";
import { parseConfig } from "../../backend/src/config.ts";
import type { ClientRecord } from "../../backend/src/delivery/auth.ts";
import { ingestEvaluations } from "../../backend/src/delivery/events-service.ts";
import { type AppDeps, createDeps } from "../../backend/src/deps.ts";
import { createLogger } from "../../backend/src/log.ts";
import { findPostgres, scratchDatabase } from "../../backend/test/delivery/postgres.ts";
import { RunRecorder } from "./lib/result.ts";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const raw = argv.includes("--raw");
const keep = argv.includes("--keep");
const jsonFile = argv.includes("--json") ? argv[argv.indexOf("--json") + 1] : undefined;
const HISTORY_DELTAS = quick ? 100_000 : 1_000_000;
const FLAGS = 200;
const ENVS = 3;
const CLIENTS = 5;
const USERS = 50_000;
const INGEST_BATCH = 5_000;
const INGEST_BATCHES = quick ? 20 : 100;
const INGEST_IN_FLIGHT = 4;
const ROUNDS = quick ? 15 : 40;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface World {
  teamId: string;
  envs: string[];
  clients: string[];
  flags: string[];
  /** Evaluations stored, and distinct users among them. */
  evaluations: number;
  users: number;
}

const run = new RunRecorder();
const server = await findPostgres();
if (!server.url) {
  console.error(`bench:analytics needs Postgres: ${server.source}`);
  process.exit(1);
}
const scratch = await scratchDatabase(server.url);
let handle: DatabaseHandle | undefined;
try {
  handle = await openDatabase({ url: scratch.url, poolSize: 8 });
  const [{ version }] = await rows<{ version: string }>(
    handle.db,
    sql`select split_part(version(), ' ', 2) as version`,
  );
  const machine = `Postgres ${version} from ${server.source}; Bun ${Bun.version}; ${availableParallelism()} CPUs; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;
  console.log(`${machine}${quick ? "; --quick" : ""}`);
  run.note(machine);
  const world = await seed(handle.db);
  await history(handle.db, world);
  await ingest(handle.db, world);
  await queries(handle, world);
} finally {
  await handle?.close();
  if (keep) console.log(`kept the database: ${scratch.url}`);
  else await scratch.drop();
}
if (jsonFile) await Bun.write(jsonFile, JSON.stringify(run.result(), null, 2));
if (run.checks.some((c) => !c.ok)) process.exitCode = 1;

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return executeRows<T>(db, query);
}

function pgArray(values: string[]): string {
  return `{${values.join(",")}}`;
}

async function seed(db: Db): Promise<World> {
  const [team] = await rows<{ id: string }>(db, sql`insert into teams (name) values ('bench') returning id`);
  const envs = await rows<{ id: string }>(
    db,
    sql`insert into environments (team_id, name) select ${team.id}, 'env-' || i from generate_series(1, ${ENVS}) i
        returning id`,
  );
  const clients = await rows<{ id: string }>(
    db,
    sql`insert into clients (team_id, name, client_type, secret_hash, secret_prefix)
        select ${team.id}, 'client-' || i, 'Backend', md5(i::text), 'fg_' || i from generate_series(1, ${CLIENTS}) i
        returning id`,
  );
  await db.execute(sql`insert into features (team_id, key, salt)
    select ${team.id}, 'flag-' || lpad(i::text, 3, '0'), 'flag-' || i from generate_series(0, ${FLAGS - 1}) i`);
  return {
    teamId: team.id,
    envs: envs.map((e) => e.id),
    clients: clients.map((c) => c.id),
    flags: Array.from({ length: FLAGS }, (_, i) => `flag-${String(i).padStart(3, "0")}`),
    evaluations: 0,
    users: 0,
  };
}

/**
 * The last 7 days (less the last hour and first hour) as deltas of 1–19 evaluations: series s = 3000·r³ (so a few
 * flags take most traffic) → flag s / 15, environment (s / 5) % 3, client s % 5; up to 5 users each. Written as
 * compaction would: cube counts for 3 grains × 8 combinations, minute sketches for 8; then hours and days sealed.
 */
async function history(db: Db, world: World): Promise<void> {
  const started = performance.now();
  // one connection (the temp tables are its own) and room to aggregate in memory
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '256MB'`);
    await writeHistory(tx as unknown as Db, world);
  });
  const written = performance.now();
  // sealing starts at the first hour with data, as the compaction job would have it
  const [{ first }] = await rows<{ first: number }>(
    db,
    sql`select (extract(epoch from min(bucket)) * 1000)::float8 as first from evaluation_user_sketches`,
  );
  const firstHour = Math.floor(first / HOUR) * HOUR;
  await db.execute(sql`insert into analytics_watermarks (grain, sealed_until) values
    (60, to_timestamp(${firstHour / 1000})), (1440, to_timestamp(${Math.floor(firstHour / DAY) * DAY} / 1000.0))`);
  let seals = 0;
  while (await sealOnce(db)) seals++;
  const sealed = performance.now();
  if (raw) await writeRawEvents(db, world);
  for (const table of ["evaluation_cube", "evaluation_user_sketches", "evaluation_events"]) {
    await db.execute(sql.raw(`vacuum analyze ${table}`));
  }
  const [size] = await rows<Record<string, string>>(
    db,
    sql`select (select count(*) from evaluation_cube)::text as cells,
          pg_size_pretty(pg_total_relation_size('evaluation_cube')) as cube,
          (select count(*) from evaluation_user_sketches)::text as sketches,
          pg_size_pretty(pg_total_relation_size('evaluation_user_sketches')) as "sketchSize",
          (select count(*) from evaluation_events)::text as events,
          pg_size_pretty(pg_total_relation_size('evaluation_events')) as raw`,
  );
  console.log(
    `history: ${fmtInt(world.evaluations)} evaluations over 7 days, ${fmtInt(world.users)} users, as ` +
      `${fmtInt(HISTORY_DELTAS)} deltas: cube and minute sketches written with SQL in ${s(written - started)}, ` +
      `${seals} hours and days sealed in ${s(sealed - written)} → cube ${fmtInt(Number(size.cells))} rows (${size.cube}), ` +
      `user sketches ${fmtInt(Number(size.sketches))} rows (${size.sketchSize}); raw events ${fmtInt(Number(size.events))} ` +
      `rows (${size.raw})${raw ? `, written in ${s(performance.now() - sealed)}` : "; --raw adds them"}`,
  );
  run.note(`history: ${fmtInt(world.evaluations)} evaluations, cube ${size.cube}, sketches ${size.sketchSize}`);
}

/** The deltas (temp table hd), their users (he), and from them the cube rows and minute sketches. */
async function writeHistory(db: Db, world: World): Promise<void> {
  const now = Date.now() / 1000;
  await db.execute(sql`create temp table hd on commit drop as
    select i, bucket, 'flag-' || lpad((s / 15)::text, 3, '0') as f, (${pgArray(world.envs)}::text[])[1 + (s / 5) % 3] as e,
      (${pgArray(world.clients)}::text[])[1 + s % 5] as c, n, (n * 0.6)::int as ok, (n * 0.3)::int as cached
    from (
      select i, floor(3000 * power(random(), 3))::int as s, 1 + floor(random() * 19)::int as n,
        to_timestamp(floor((${now - 3600} - random() * ${7 * 86400 - 7200}) / 60) * 60) as bucket
      from generate_series(1, ${HISTORY_DELTAS}) i
    ) x`);
  await db.execute(sql`insert into evaluation_cube (team_id, grain, bucket, feature_key, environment_id, client_id,
      evaluation_count, success_count, cached_count, last_evaluated_at)
    select ${world.teamId}::uuid, g, b, coalesce(f, ''), coalesce(e, ''), coalesce(c, ''), sum(n), sum(ok), sum(cached),
      max(bucket) + interval '59 seconds'
    from (select hd.*, g, to_timestamp(floor(extract(epoch from bucket) / (g * 60)) * g * 60) as b
          from hd cross join (values (1), (60), (1440)) grains(g)) x
    group by g, b, cube(f, e, c)`);
  // entry = index25 · 64 + rank, as hll.ts has it (with Postgres' hash of the user id instead of xxHash)
  await db.execute(sql`create temp table he on commit drop as
    select i, u, (h >> 39 & 33554431) as idx,
      (h >> 39 & 33554431) * 64 + 40 - length(ltrim((h & 549755813887)::bit(39)::text, '0')) as entry
    from hd cross join lateral (
      select u, hashtextextended('user-' || u, 0) as h
      from (select (hd.i::int8 * 7919 + k * 104729) % ${USERS} as u from generate_series(1, least(hd.n, 5)) k) us
    ) x`);
  await db.execute(sql`insert into evaluation_user_sketches (team_id, grain, bucket, feature_key, environment_id, client_id,
      users)
    select ${world.teamId}::uuid, 1, bucket, f, e, c, '\\x01'::bytea || string_agg(int4send(entry::int), ''::bytea order by entry)
    from (
      select bucket, coalesce(f, '') as f, coalesce(e, '') as e, coalesce(c, '') as c, max(entry) as entry
      from he join hd using (i) group by bucket, idx, cube(f, e, c)
    ) x
    group by bucket, f, e, c`);
  const [totals] = await rows<{ n: number; u: number }>(
    db,
    sql`select (select sum(n) from hd)::float8 as n, (select count(distinct u) from he)::int as u`,
  );
  world.evaluations = totals.n;
  world.users = totals.u;
  if (raw) {
    await db.execute(sql`create table bench_hd as select * from hd`);
  }
}

/** 10 M raw events matching the history (from the kept copy of its deltas). */
async function writeRawEvents(db: Db, world: World): Promise<void> {
  await db.execute(sql`
    insert into evaluation_events (team_id, client_id, feature_key, environment_id, evaluated_at, result, user_context,
      prior_assignment)
    select ${world.teamId}::uuid, c::uuid, f, e, bucket + random() * interval '59 seconds', k <= ok, 'user-' || (i % ${USERS}),
      k <= cached
    from bench_hd cross join lateral generate_series(1, n) k`);
  await db.execute(sql`drop table bench_hd`);
}

function batchOf(world: World, b: number, at: number): FeatureEvaluationEvent[] {
  return Array.from({ length: INGEST_BATCH }, (_, i) => {
    const r = ((i * 2654435761 + b * 40503) >>> 0) / 2 ** 32;
    // a namespace of its own: these users are hashed by ingest (xxHash), the history's by Postgres
    const user = `live-${(i * 7919 + b * 104729) % USERS}`;
    return {
      feature_key: world.flags[Math.floor(FLAGS * r ** 3)],
      environment_id: world.envs[i % ENVS],
      client_id: "",
      client_secret: "",
      evaluation_result: i % 3 !== 0,
      evaluation_context: [{ key: "userId", value: user }],
      user_context: user,
      evaluated_at_unix_ms: at - (i % 120) * 1000,
      prior_assignment: i % 5 === 0,
      variant: i % 3 !== 0 ? "on" : "off",
    };
  });
}

async function ingest(db: Db, world: World): Promise<void> {
  const at = Date.now();
  const batches = Array.from({ length: INGEST_BATCHES }, (_, b) => ({
    client: { id: world.clients[b % CLIENTS], teamId: world.teamId } as ClientRecord,
    events: batchOf(world, b, at),
  }));
  let compacting = true;
  let folded = 0;
  const compaction = (async () => {
    while (compacting) {
      const n = await compactOnce(db);
      folded += n;
      if (n === 0) await Bun.sleep(100);
    }
  })();
  const perBatch: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INGEST_IN_FLIGHT }, async () => {
      while (next < batches.length) {
        const { client, events } = batches[next++];
        const t = performance.now();
        await ingestEvaluations(db, client, { batchId: crypto.randomUUID(), events, counters: [] });
        perBatch.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  compacting = false;
  await compaction;
  const drain = performance.now();
  for (let n = await compactOnce(db, 5_000); n > 0; n = await compactOnce(db, 5_000)) folded += n;
  const compactionSeconds = (performance.now() - started) / 1000;
  const total = INGEST_BATCHES * INGEST_BATCH;
  world.evaluations += total;
  world.users += new Set(batches.flatMap((b) => b.events.map((e) => e.user_context))).size;
  const share = await analyticsShare(db, world, batches.slice(0, 10));
  const rate = total / seconds;
  console.log(
    `ingest: ${fmtInt(total)} events in ${INGEST_BATCHES} batches of ${INGEST_BATCH} (${INGEST_IN_FLIGHT} in flight, ` +
      `compaction running): ${fmtInt(rate)} events/s stored with rollups and analytics deltas  (target ≥ 50,000/s)`,
  );
  console.log(
    `  per batch ${pq(perBatch)} ms, of which analytics (measured alone) JS ${pq(share.js)} ms, insert ` +
      `${pq(share.insert)} ms; compaction: ${fmtInt(folded)} deltas (${fmtInt(folded / compactionSeconds)} deltas/s), ` +
      `caught up ${Math.round(performance.now() - drain)} ms after the last batch`,
  );
  run.metric("ingest with compaction running", "events/s", Math.round(rate), "higher");
  run.metric("ingest: analytics JS per 5,000-event batch, p50", "ms", round1(percentile(share.js, 0.5)), "lower");
  run.metric(
    "ingest: analytics insert per 5,000-event batch, p50",
    "ms",
    round1(percentile(share.insert, 0.5)),
    "lower",
  );
  run.metric("compaction", "deltas/s", Math.round(folded / compactionSeconds), "higher");
}

/** Analytics' part of a batch alone: its JS (deltas, user sketches) and its insert (deltas + NOTIFY). */
async function analyticsShare(
  db: Db,
  world: World,
  batches: { client: ClientRecord; events: FeatureEvaluationEvent[] }[],
) {
  const js: number[] = [];
  const insert: number[] = [];
  for (const { client, events } of batches) {
    const columns = {
      t: events.map((e) => e.evaluated_at_unix_ms),
      k: events.map((e) => e.feature_key),
      e: events.map((e) => e.environment_id),
      u: events.map((e) => e.user_context),
    };
    const increments = rollupsOf(events);
    let t = performance.now();
    batchDeltas(columns, increments);
    js.push(performance.now() - t);
    t = performance.now();
    const cte = analyticsDeltasCte({ teamId: world.teamId, clientId: client.id }, columns, increments);
    await db.execute(sql`with claim as (select 1)${cte} select 1`);
    insert.push(performance.now() - t);
  }
  await db.execute(sql`delete from evaluation_deltas`); // measured only: not counted twice
  return { js, insert };
}

/** A batch's rollup increments as delivery computes them: per minute, flag, environment and result. */
function rollupsOf(events: FeatureEvaluationEvent[]) {
  const sums = new Map<string, { b: number; k: string; e: string; r: boolean; n: number; c: number }>();
  for (const ev of events) {
    const b = Math.floor(ev.evaluated_at_unix_ms / MIN) * MIN;
    const key = `${b}|${ev.feature_key}|${ev.environment_id}|${ev.evaluation_result}`;
    const sum = sums.get(key) ?? { b, k: ev.feature_key, e: ev.environment_id, r: ev.evaluation_result, n: 0, c: 0 };
    sum.n++;
    if (ev.prior_assignment) sum.c++;
    sums.set(key, sum);
  }
  const list = [...sums.values()];
  return {
    b: list.map((x) => x.b),
    k: list.map((x) => x.k),
    e: list.map((x) => x.e),
    r: list.map((x) => x.r),
    n: list.map((x) => x.n),
    c: list.map((x) => x.c),
  };
}

async function queries(handle: DatabaseHandle, world: World): Promise<void> {
  const deps: AppDeps = createDeps({ handle, config: parseConfig("", { env: {} }), log: createLogger("silent") });
  const viewer: Actor = {
    userId: crypto.randomUUID(),
    username: "bench",
    isAdmin: false,
    isTemporaryPassword: false,
    memberships: new Map([[world.teamId, "Viewer"]]),
  };
  const t = world.teamId;
  const now = () => new Date();
  const ago = (ms: number) => new Date(Date.now() - ms);
  const cases: [string, () => Promise<unknown>][] = [
    ["evaluationSummary 24h", () => analytics.evaluationSummary(deps, viewer, t, { period: "PERIOD_24H" })],
    ["evaluationSummary 7d", () => analytics.evaluationSummary(deps, viewer, t, { period: "PERIOD_7D" })],
    ["evaluationSummary 30d", () => analytics.evaluationSummary(deps, viewer, t, { period: "PERIOD_30D" })],
    [
      "evaluationSummary 7d, one environment",
      () => analytics.evaluationSummary(deps, viewer, t, { period: "PERIOD_7D", environmentId: world.envs[0] }),
    ],
    [
      "evaluationSummary 7d, hot flag + client",
      () =>
        analytics.evaluationSummary(deps, viewer, t, {
          period: "PERIOD_7D",
          featureKey: world.flags[0],
          clientId: world.clients[1],
        }),
    ],
    [
      "evaluationRatesWithPeriod 24h / 5 min",
      () => analytics.evaluationRatesWithPeriod(deps, viewer, t, { period: "PERIOD_24H", intervalMinutes: 5 }),
    ],
    [
      "evaluationRatesWithPeriod 7d / 60 min",
      () => analytics.evaluationRatesWithPeriod(deps, viewer, t, { period: "PERIOD_7D", intervalMinutes: 60 }),
    ],
    [
      "evaluationRates 24h / 15 min, one flag",
      () =>
        analytics.evaluationRates(deps, viewer, t, {
          fromTime: ago(DAY - MIN),
          toTime: now(),
          intervalMinutes: 15,
          featureKey: world.flags[3],
        }),
    ],
    [
      "evaluationsByFeature 24h, top 5",
      () => analytics.evaluationsByFeature(deps, viewer, { teamId: t, fromTime: ago(DAY), toTime: now(), limit: 5 }),
    ],
    [
      "evaluationsByFeature 7d, top 20",
      () =>
        analytics.evaluationsByFeature(deps, viewer, { teamId: t, fromTime: ago(7 * DAY), toTime: now(), limit: 20 }),
    ],
    [
      "evaluationCount 7d, one client",
      () =>
        analytics.evaluationCount(deps, viewer, t, {
          fromDate: ago(7 * DAY),
          toDate: now(),
          clientId: world.clients[2],
        }),
    ],
    ["systemMetrics", () => systemMetrics(deps, viewer, t)],
  ];
  await checkAnswers(deps, viewer, world);
  console.log(
    `dashboard queries (${ROUNDS} rounds each, ${fmtInt(world.evaluations)} evaluations stored; target p95 ≤ 50 ms):`,
  );
  for (const [name, query] of cases) {
    for (let i = 0; i < 3; i++) await query(); // warm-up: plans and caches
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      await query();
      times.push(performance.now() - started);
    }
    const p50 = percentile(times, 0.5);
    const p95 = percentile(times, 0.95);
    console.log(`  ${name.padEnd(42)} p50 ${fmt(p50)} ms  p95 ${fmt(p95)} ms${p95 > 50 ? "  ← over target" : ""}`);
    run.metric(`dashboard: ${name} p95`, "ms", round1(p95), "lower");
  }
}

/** The dashboards' answers agree with what was stored and with each other. */
async function checkAnswers(deps: AppDeps, viewer: Actor, world: World): Promise<void> {
  const t = world.teamId;
  const week = await analytics.evaluationSummary(deps, viewer, t, { period: "PERIOD_7D" });
  run.check(
    "7-day summary counts every stored evaluation",
    week.totalEvaluations === world.evaluations,
    `${week.totalEvaluations} vs ${world.evaluations}`,
  );
  const hourly = await analytics.evaluationRatesWithPeriod(deps, viewer, t, {
    period: "PERIOD_7D",
    intervalMinutes: 60,
  });
  const hourlySum = hourly.reduce((n, p) => n + p.evaluationCount, 0);
  run.check("hourly rates add up to the summary", hourlySum === week.totalEvaluations, `${hourlySum}`);
  const perClient = await Promise.all(
    world.clients.map((clientId) =>
      analytics.evaluationCount(deps, viewer, t, {
        fromDate: new Date(Date.now() - 7 * DAY),
        toDate: new Date(),
        clientId,
      }),
    ),
  );
  const clientSum = perClient.reduce((a, b) => a + b, 0);
  run.check("per-client counts add up to the summary", clientSum === week.totalEvaluations, `${clientSum}`);
  const [top] = await analytics.evaluationsByFeature(deps, viewer, {
    teamId: t,
    fromTime: new Date(Date.now() - 7 * DAY),
    toTime: new Date(),
    limit: 1,
  });
  run.check("the top flag is the summary's", top?.featureKey === week.topFeatureKey, `${top?.featureKey}`);
  const error = Math.abs(week.uniqueUsers - world.users) / world.users;
  run.check(
    "unique users within 5% (HyperLogLog, ±1.6% standard error)",
    error < 0.05,
    `${week.uniqueUsers} vs ${world.users}`,
  );
  console.log(
    `answers: 7-day total ${fmtInt(week.totalEvaluations)} (stored ${fmtInt(world.evaluations)}), unique users ` +
      `${fmtInt(week.uniqueUsers)} (true ${fmtInt(world.users)}, ${(error * 100).toFixed(2)}% off), ` +
      `${run.checks.filter((c) => !c.ok).length} of ${run.checks.length} checks failed`,
  );
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(6);
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function pq(values: number[]): string {
  return `p50 ${percentile(values, 0.5).toFixed(1)} / p95 ${percentile(values, 0.95).toFixed(1)}`;
}
