/**
 * Delivery bench on a real Postgres (a temporary database, dropped afterwards):
 *  1. propagation — two backend replicas (separate processes: GraphQL + gRPC delivery, as `startBackend` runs),
 *     one edge sync client on each; N kill-switch mutations over GraphQL on replica 1; time from the mutation's
 *     HTTP response to the change being held by BOTH edges, with the replicas' own stage timings (NOTIFY seen →
 *     change and flag read → flag assembled → frames written → edge holds it);
 *  2. snapshot — a 10,000-flag team (bulk-inserted with SQL: 10,000 mutations would be the slow part) delivered to
 *     a fresh edge and compiled into an engine store (cold: the replica loads the team from Postgres; warm: already
 *     in its memory; after-change: warm, one flag changed since the last snapshot), median of 3 teams, with the
 *     replica's load and frame-building times and the edge's compileStore time;
 *  3. ingest — PushEvaluationEvents into Postgres (events + rollups) from several edge clients at once, events/s,
 *     with the replica's per-batch prepare and store times.
 *
 * `bun run bench:propagation [--quick] [--pin] [--direct]`. Postgres: TEST_DATABASE_URL / DATABASE_URL, else
 * 127.0.0.1:5432. `--pin` runs the replicas on the last CPU and this process (the edges) on the others (`taskset`).
 * `--direct` writes the propagation changes straight to the tables in a transaction with `recordConfigChange` (as
 * the delivery tests' fixtures do) and times from that commit, like the first version of this bench.
 * Targets: propagation p99 ≤ 100 ms, snapshot ≤ 1 s delivered and applied, ingest ≥ 50,000 events/s.
 */
import { availableParallelism, loadavg } from "node:os";
import { type DatabaseHandle, openDatabase } from "@fluxgate/drizzle";
import { compileStore, type Snapshot } from "@fluxgate/engine";
import { sql } from "drizzle-orm";
import type { DeliveryTrace } from "../../backend/src/delivery/index.ts";
import { createClient, createFlag, createTeam, setKilled } from "../../backend/test/delivery/fixtures.ts";
import { findPostgres, scratchDatabase } from "../../backend/test/delivery/postgres.ts";
import { type ReplicaProcess, spawnReplica } from "../../backend/test/delivery/replica-process.ts";
import { createSyncClient, type SyncClient } from "../../edge/src/sync/index.ts";

const quick = process.argv.includes("--quick");
const pin = process.argv.includes("--pin");
/** Propagation writes straight to the tables (as the delivery tests' fixtures do) instead of through GraphQL. */
const direct = process.argv.includes("--direct");
const MUTATIONS = quick ? 60 : 400;
const SNAPSHOT_FLAGS = 10_000;
const SNAPSHOT_ROUNDS = quick ? 1 : 3;
const INGEST_BATCH_SIZE = 5_000;
const INGEST_CLIENTS = 4;
const INGEST_IN_FLIGHT_PER_CLIENT = 2;
const INGEST_BATCHES = quick ? 16 : 60;

const now = () => performance.timeOrigin + performance.now();
const traces: DeliveryTrace[][] = [[], []];

const server = await findPostgres();
if (!server.url) {
  console.error(`bench:propagation needs Postgres: ${server.source}`);
  process.exit(1);
}
const cpus = availableParallelism();
const wrap = pin && cpus > 1 ? ["taskset", "-c", String(cpus - 1)] : undefined;
if (wrap) Bun.spawnSync(["taskset", "-pc", `0-${cpus - 2}`, String(process.pid)]);
const scratch = await scratchDatabase(server.url);
let writer: DatabaseHandle | undefined;
let replicas: ReplicaProcess[] = [];
const edges: SyncClient[] = [];
try {
  writer = await openDatabase({ url: scratch.url, poolSize: 4 });
  replicas = await Promise.all(
    [0, 1].map((i) => spawnReplica(scratch.url, { wrap, http: !direct, onTrace: (t) => traces[i].push(t) })),
  );
  console.log(
    `Postgres from ${server.source}; replicas on ports ${replicas.map((r) => r.port).join(", ")}; Bun ${Bun.version}; ` +
      `${cpus} CPUs${wrap ? `, replicas pinned to CPU ${cpus - 1}, edges to 0-${cpus - 2}` : ""}; load ${loadAverage()}`,
  );
  await (direct ? propagationDirect(writer) : propagation(writer));
  await snapshot(writer);
  await ingest(writer);
} finally {
  await Promise.all(edges.map((e) => e.stop()));
  await Promise.all(replicas.map((r) => r.stop()));
  await writer?.close();
  await scratch.drop();
}

/**
 * Changes through the backend's real write path: kill-switch mutations over GraphQL on replica 1 (auth, policy,
 * audit, change log, NOTIFY at commit), timed from the mutation's HTTP response to the flag's new state being held
 * by the edge on each replica.
 */
async function propagation(handle: DatabaseHandle): Promise<void> {
  const gql = graphql(replicas[0].httpUrl as string);
  await gql(`mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id } }`, {
    input: { username: "bench", password: "bench-password-1", firstName: "B", lastName: "B", email: "b@example.com" },
  });
  const login = await gql(`mutation($input: LoginInput!) { login(input: $input) { token } }`, {
    input: { username: "bench", password: "bench-password-1" },
  });
  gql.token = login.login.token;
  const team = (await gql(`mutation { createTeam(input: { name: "propagation" }) { id } }`)).createTeam.id as string;
  const prod = (
    await gql(`mutation($t: ID!) { createEnvironment(teamId: $t, input: { name: "prod", active: true }) { id } }`, {
      t: team,
    })
  ).createEnvironment.id as string;
  const created = await gql(
    `mutation($t: ID!) { createClient(teamId: $t, input: { name: "bench-edge", clientType: BACKEND }) { client { id } secret } }`,
    { t: team },
  );
  const client = { id: created.createClient.client.id as string, secret: created.createClient.secret as string };
  const flags: { id: string; key: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const key = `p-${i}`;
    const id = (
      await gql(`mutation($t: ID!, $input: CreateFeatureInput!) { createFeature(teamId: $t, input: $input) }`, {
        t: team,
        input: { key, featureType: "SIMPLE", stages: [{ environmentId: prod, orderIndex: 0 }] },
      })
    ).createFeature as string;
    flags.push({ id, key });
  }
  /** Per edge: `key:killed` → when the edge first held that state. */
  const seen = replicas.map(() => new Map<string, number>());
  await Promise.all(
    replicas.map((replica, i) =>
      connect(replica.url, client, {
        onDelta: (upserts) => {
          const at = now();
          for (const f of upserts as { key: string; killed: boolean }[]) {
            const state = `${f.key}:${f.killed}`;
            if (!seen[i].has(state)) seen[i].set(state, at);
          }
        },
      }),
    ),
  );
  for (const t of traces) t.length = 0;
  const latencies: number[] = [];
  const mutationMs: number[] = [];
  const respondedAt = new Map<number, number>();
  const heldAt = replicas.map(() => new Map<number, number>());
  for (let m = 0; m < MUTATIONS; m++) {
    const flag = flags[m % flags.length];
    const kill = m % 40 < 20; // every flag killed, then every flag revived, and so on
    const state = `${flag.key}:${kill}`;
    for (const s of seen) s.delete(state);
    const sent = now();
    await gql(
      kill
        ? `mutation($id: ID!) { emergencyDisableFeature(id: $id) { id } }`
        : `mutation($id: ID!) { emergencyEnableFeature(id: $id) { id } }`,
      { id: flag.id },
    );
    const responded = now();
    mutationMs.push(responded - sent);
    await waitUntil(() => seen.every((s) => s.has(state)), 5_000);
    latencies.push(Math.max(0, ...seen.map((s) => (s.get(state) as number) - responded)));
    const [row] = await handle.execute<{ v: string }>(
      sql`select max(version)::text as v from config_changes where entity_id = ${flag.id}`,
    );
    const version = Number(row.v);
    respondedAt.set(version, responded);
    for (const [i, s] of seen.entries()) heldAt[i].set(version, s.get(state) as number);
    await Bun.sleep(5);
  }
  console.log(
    `propagation: ${MUTATIONS} GraphQL kill-switch mutations (median ${median(mutationMs).toFixed(1)} ms each), ` +
      `HTTP response → held by both edges (2 replicas): ${percentiles(latencies)}  (target p99 ≤ 100 ms)`,
  );
  reportStages(respondedAt, heldAt, "response (negative: NOTIFY seen before it)");
}

/** `--direct`: changes written with the fixtures, timed from their commit. */
async function propagationDirect(handle: DatabaseHandle): Promise<void> {
  const db = handle.db;
  const team = await createTeam(db);
  const client = await createClient(db, team.teamId);
  const flags = [];
  for (let i = 0; i < 20; i++)
    flags.push(await createFlag(db, team.teamId, `p-${i}`, { stages: [{ environmentId: team.prod }] }));
  const seen = replicas.map(() => new Map<number, number>());
  await Promise.all(
    replicas.map((replica, i) =>
      connect(replica.url, client, {
        onDelta: (_u, _d, version) => {
          if (!seen[i].has(version)) seen[i].set(version, now());
        },
      }),
    ),
  );
  for (const t of traces) t.length = 0;
  const latencies: number[] = [];
  const committedAt = new Map<number, number>();
  for (let m = 0; m < MUTATIONS; m++) {
    const version = await setKilled(db, flags[m % flags.length].id, m % 2 === 0);
    const committed = now();
    committedAt.set(version, committed);
    await waitUntil(() => seen.every((s) => s.has(version)), 5_000);
    latencies.push(Math.max(0, ...seen.map((s) => (s.get(version) as number) - committed)));
    await Bun.sleep(5);
  }
  console.log(
    `propagation (direct writes): ${MUTATIONS} changes, commit → held by both edges (2 replicas): ${percentiles(latencies)}  (target p99 ≤ 100 ms)`,
  );
  reportStages(committedAt, seen, "commit");
}

/** Per replica: where the time went between the write (`base`) and each edge holding the change. */
function reportStages(base: Map<number, number>, held: Map<number, number>[], what: string): void {
  for (const [i, replicaTraces] of traces.entries()) {
    const stages = {
      notify: [] as number[],
      wait: [] as number[],
      read: [] as number[],
      build: [] as number[],
      send: [] as number[],
    };
    const edge: number[] = [];
    for (const t of replicaTraces) {
      if (t.kind !== "changes") continue;
      const version = t.versions.at(-1) as number;
      const start = base.get(version);
      const at = held[i].get(version);
      if (start === undefined || at === undefined || t.notifiedAt === null) continue;
      stages.notify.push(t.notifiedAt - start);
      stages.wait.push(t.queriedAt - t.notifiedAt);
      stages.read.push(t.readAt - t.queriedAt);
      stages.build.push(t.builtAt - t.readAt);
      stages.send.push(t.sentAt - t.builtAt);
      edge.push(at - t.sentAt);
    }
    console.log(
      `  replica ${i + 1} stages (p50 / p99 ms, ${stages.notify.length} changes): ${what} → NOTIFY seen ` +
        `${pq(stages.notify)}, → read sent ${pq(stages.wait)}, → change + flag read ${pq(stages.read)}, ` +
        `→ flag assembled ${pq(stages.build)}, ` +
        `→ frames written ${pq(stages.send)}, → held by edge ${pq(edge)}`,
    );
  }
}

/** A GraphQL-over-HTTP client; `token` is sent once set. */
function graphql(url: string) {
  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: results are read by shape
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  call.token = "";
  return call;
}

async function snapshot(handle: DatabaseHandle): Promise<void> {
  const rows: Record<string, number[]>[] = [];
  for (let round = 0; round < SNAPSHOT_ROUNDS; round++) {
    const team = await createTeam(handle.db);
    const client = await createClient(handle.db, team.teamId);
    await insertFlags(handle, team, SNAPSHOT_FLAGS);
    /** The first edge stays connected: it keeps the team in the replica and tells when a change was applied. */
    const held = new Set<number>();
    for (const phase of ["cold", "warm", "after-change"]) {
      if (phase === "after-change") {
        const [flag] = await handle.execute<{ id: string }>(
          sql`select id from features where team_id = ${team.teamId} and key = 'bulk-5000'`,
        );
        const version = await setKilled(handle.db, flag.id, true);
        await waitUntil(() => held.has(version), 5_000);
      }
      traces[0].length = 0;
      const started = now();
      let received = 0;
      let compiled = 0;
      let count = 0;
      await connect(replicas[0].url, client, {
        onSnapshot: (s: Snapshot) => {
          received = now();
          count = s.flags.length;
          compileStore(s);
          compiled = now();
        },
        onDelta: phase === "cold" ? (_u, _d, version) => held.add(version) : undefined,
      });
      if (phase !== "cold") await edges.pop()?.stop();
      const load = traces[0].find((t) => t.kind === "team-load");
      const frames = traces[0].find((t) => t.kind === "snapshot");
      const index = ["cold", "warm", "after-change"].indexOf(phase);
      rows[index] ??= {};
      const row = rows[index];
      const add = (k: string, v: number | undefined) => {
        if (v === undefined) return;
        row[k] ??= [];
        row[k].push(v);
      };
      add("delivered", received - started);
      add("applied", compiled - started);
      add("compile", compiled - received);
      add("load", load?.kind === "team-load" ? load.loadMs : undefined);
      add("frames", frames?.kind === "snapshot" ? frames.framesMs : undefined);
      add("mb", frames?.kind === "snapshot" ? frames.bytes / 1e6 : undefined);
      add("flags", count);
    }
    await Promise.all(edges.splice(0).map((e) => e.stop()));
  }
  for (const [i, phase] of ["cold", "warm", "after-change"].entries()) {
    const r = rows[i];
    const m = (k: string) => (r[k] ? median(r[k]) : Number.NaN);
    console.log(
      `snapshot (${phase}): ${m("flags")} flags delivered in ${m("delivered").toFixed(0)} ms, applied (compiled) at ` +
        `${m("applied").toFixed(0)} ms  (target ≤ 1000 ms; median of ${r.delivered.length}; replica: load ` +
        `${r.load ? `${m("load").toFixed(0)} ms` : "—"}, frames ${m("frames").toFixed(0)} ms for ${m("mb").toFixed(1)} MB; ` +
        `edge compileStore ${m("compile").toFixed(0)} ms)`,
    );
  }
}

async function ingest(handle: DatabaseHandle): Promise<void> {
  const team = await createTeam(handle.db);
  const client = await createClient(handle.db, team.teamId);
  const clients = Array.from({ length: INGEST_CLIENTS }, () => {
    const edge = createSyncClient({
      backendUrl: replicas[0].url,
      clientId: client.id,
      clientSecret: client.secret,
      onSnapshot: () => {},
      retry: { timeoutMs: 60_000 },
    });
    edges.push(edge);
    return edge;
  });
  const at = Date.now();
  const batch = () =>
    Array.from({ length: INGEST_BATCH_SIZE }, (_, i) => ({
      feature_key: `f-${i % 50}`,
      environment_id: team.prod,
      evaluation_result: i % 3 !== 0,
      evaluation_context: [
        { key: "userId", value: `user-${i}` },
        { key: "country", value: i % 2 ? "NL" : "DE" },
      ],
      user_context: `user-${i}`,
      evaluated_at_unix_ms: at - (i % 120) * 1000,
      prior_assignment: i % 5 === 0,
      variant: i % 3 !== 0 ? "on" : "off",
    }));
  const batches = Array.from({ length: INGEST_BATCHES }, batch);
  // warm-up: every client connected, the statement prepared
  await Promise.all(
    clients.map((c) => c.pushEvaluationEvents({ batchId: crypto.randomUUID(), events: batch().slice(0, 100) })),
  );
  traces[0].length = 0;
  const started = performance.now();
  let next = 0;
  const perBatch: number[] = [];
  await Promise.all(
    clients.flatMap((c) =>
      Array.from({ length: INGEST_IN_FLIGHT_PER_CLIENT }, async () => {
        while (next < batches.length) {
          const events = batches[next++];
          const sent = performance.now();
          await c.pushEvaluationEvents({ batchId: crypto.randomUUID(), events });
          perBatch.push(performance.now() - sent);
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = INGEST_BATCHES * INGEST_BATCH_SIZE;
  const [row] = await handle.execute<{ n: string }>(
    sql`select count(*)::text as n from evaluation_events where team_id = ${team.teamId}`,
  );
  const server = traces[0].filter((t) => t.kind === "ingest");
  const prepare = server.map((t) => (t.kind === "ingest" ? t.prepareMs : 0));
  const store = server.map((t) => (t.kind === "ingest" ? t.storeMs : 0));
  console.log(
    `ingest: ${total} events in ${INGEST_BATCHES} batches of ${INGEST_BATCH_SIZE} (${INGEST_CLIENTS} clients × ` +
      `${INGEST_IN_FLIGHT_PER_CLIENT} in flight), ${Math.round(total / seconds)} events/s stored with rollups ` +
      `(${row.n} rows)  (target ≥ 50,000/s)`,
  );
  console.log(
    `  per batch: round trip ${pq(perBatch)} ms; replica prepare ${pq(prepare)} ms, store (one statement) ${pq(store)} ms`,
  );
}

/** A sync client on `url`, resolved once it holds a complete snapshot. */
function connect(
  url: string,
  client: { id: string; secret: string },
  handlers: { onSnapshot?: (s: Snapshot) => void; onDelta?: (u: unknown[], d: string[], v: number) => void },
): Promise<void> {
  return new Promise((resolve) => {
    const edge = createSyncClient({
      backendUrl: url,
      clientId: client.id,
      clientSecret: client.secret,
      onSnapshot: (s) => {
        handlers.onSnapshot?.(s);
        resolve();
      },
      onDelta: handlers.onDelta,
    });
    edges.push(edge);
    edge.start();
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error("change did not reach both edges in time");
    await Bun.sleep(0.5);
  }
}

/** `count` flags with a deployed stage per environment and one targeting rule each, in a few statements. */
async function insertFlags(handle: DatabaseHandle, team: { teamId: string; dev: string; prod: string }, count: number) {
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into features (team_id, key, salt)
      select ${team.teamId}::uuid, 'bulk-' || i, 'bulk-' || i from generate_series(1, ${count}) as i`);
    await tx.execute(sql`
      insert into feature_stages (feature_id, environment_id, order_index, enabled)
      select f.id, e.env::uuid, e.ord, true from features f
      cross join (values (${team.dev}, 0), (${team.prod}, 1)) as e(env, ord)
      where f.team_id = ${team.teamId}::uuid`);
    await tx.execute(sql`
      insert into stage_rules (stage_id, priority, groups, rollout)
      select s.id, 0, '[{"operator":"AND","conditions":[{"contextKey":"country","operator":"in","values":["NL","DE","BE"]}]}]'::jsonb, 50
      from feature_stages s join features f on f.id = s.feature_id where f.team_id = ${team.teamId}::uuid`);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function percentiles(values: number[]): string {
  return `p50 ${quantile(values, 0.5).toFixed(1)} ms, p99 ${quantile(values, 0.99).toFixed(1)} ms, max ${quantile(values, 1).toFixed(1)} ms`;
}

function pq(values: number[]): string {
  if (values.length === 0) return "—";
  return `${quantile(values, 0.5).toFixed(1)} / ${quantile(values, 0.99).toFixed(1)}`;
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
}
