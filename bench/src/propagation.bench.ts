/**
 * Delivery bench on a real Postgres (a temporary database, dropped afterwards):
 *  1. propagation — two backend replicas (separate processes), one edge sync client on each; N flag changes
 *     written through the change log; time from the writer's commit to the change being held by BOTH edges;
 *  2. snapshot — a 10,000-flag team delivered to a fresh edge and compiled into an engine store (cold: the
 *     replica loads the team from Postgres; warm: already in its memory);
 *  3. ingest — PushEvaluationEvents into Postgres (events + rollups), events/s.
 *
 * `bun run bench:propagation [--quick]`. Postgres: TEST_DATABASE_URL / DATABASE_URL, else 127.0.0.1:5432.
 * Targets: propagation p99 ≤ 100 ms, snapshot ≤ 1 s, ingest ≥ 50,000 events/s.
 */
import { type DatabaseHandle, openDatabase } from "@fluxgate/drizzle";
import { compileStore, type Snapshot } from "@fluxgate/engine";
import { sql } from "drizzle-orm";
import { createClient, createFlag, createTeam, setKilled } from "../../backend/test/delivery/fixtures.ts";
import { findPostgres, scratchDatabase } from "../../backend/test/delivery/postgres.ts";
import { type ReplicaProcess, spawnReplica } from "../../backend/test/delivery/replica-process.ts";
import { createSyncClient, type SyncClient } from "../../edge/src/sync/index.ts";

const quick = process.argv.includes("--quick");
const MUTATIONS = quick ? 60 : 400;
const SNAPSHOT_FLAGS = 10_000;
const INGEST_BATCHES = quick ? 8 : 40;
const INGEST_BATCH_SIZE = 5_000;
const INGEST_IN_FLIGHT = 4;

const server = await findPostgres();
if (!server.url) {
  console.error(`bench:propagation needs Postgres: ${server.source}`);
  process.exit(1);
}
const scratch = await scratchDatabase(server.url);
let writer: DatabaseHandle | undefined;
let replicas: ReplicaProcess[] = [];
const edges: SyncClient[] = [];
try {
  writer = await openDatabase({ url: scratch.url, poolSize: 4 });
  replicas = await Promise.all([spawnReplica(scratch.url), spawnReplica(scratch.url)]);
  console.log(
    `Postgres from ${server.source}; replicas on ports ${replicas.map((r) => r.port).join(", ")}; Bun ${Bun.version}`,
  );
  await propagation(writer);
  await snapshot(writer);
  await ingest(writer);
} finally {
  await Promise.all(edges.map((e) => e.stop()));
  await Promise.all(replicas.map((r) => r.stop()));
  await writer?.close();
  await scratch.drop();
}

async function propagation(handle: DatabaseHandle): Promise<void> {
  const db = handle.db;
  const team = await createTeam(db);
  const client = await createClient(db, team.teamId);
  const flags = [];
  for (let i = 0; i < 20; i++)
    flags.push(await createFlag(db, team.teamId, `p-${i}`, { stages: [{ environmentId: team.prod }] }));
  /** Per edge: version → when it was first held. */
  const seen = replicas.map(() => new Map<number, number>());
  const ready = replicas.map((replica, i) =>
    connect(replica.url, client, {
      onDelta: (_u, _d, version) => {
        if (!seen[i].has(version)) seen[i].set(version, performance.now());
      },
    }),
  );
  await Promise.all(ready);
  const latencies: number[] = [];
  for (let m = 0; m < MUTATIONS; m++) {
    const flag = flags[m % flags.length];
    const version = await setKilled(db, flag.id, m % 2 === 0);
    const committed = performance.now();
    await waitUntil(() => seen.every((s) => s.has(version)), 5_000);
    latencies.push(Math.max(0, ...seen.map((s) => (s.get(version) as number) - committed)));
    await Bun.sleep(5);
  }
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  console.log(
    `propagation: ${MUTATIONS} changes, commit → held by both edges (2 replicas): p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms  (target p99 ≤ 100 ms)`,
  );
}

async function snapshot(handle: DatabaseHandle): Promise<void> {
  const team = await createTeam(handle.db);
  const client = await createClient(handle.db, team.teamId);
  await insertFlags(handle, team, SNAPSHOT_FLAGS);
  for (const phase of ["cold", "warm"]) {
    const started = performance.now();
    let received = 0;
    let compiled = 0;
    let count = 0;
    await connect(replicas[0].url, client, {
      onSnapshot: (s: Snapshot) => {
        received = performance.now();
        count = s.flags.length;
        compileStore(s);
        compiled = performance.now();
      },
    });
    console.log(
      `snapshot (${phase}): ${count} flags delivered in ${(received - started).toFixed(0)} ms, applied (compiled) at ${(compiled - started).toFixed(0)} ms  (target ≤ 1000 ms)`,
    );
    await edges.pop()?.stop();
  }
}

async function ingest(handle: DatabaseHandle): Promise<void> {
  const team = await createTeam(handle.db);
  const client = await createClient(handle.db, team.teamId);
  const edge = createSyncClient({
    backendUrl: replicas[0].url,
    clientId: client.id,
    clientSecret: client.secret,
    onSnapshot: () => {},
    retry: { timeoutMs: 60_000 },
  });
  edges.push(edge);
  const now = Date.now();
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
      evaluated_at_unix_ms: now - (i % 120) * 1000,
      prior_assignment: i % 5 === 0,
      variant: i % 3 !== 0 ? "on" : "off",
    }));
  const batches = Array.from({ length: INGEST_BATCHES }, batch);
  await edge.pushEvaluationEvents({ batchId: crypto.randomUUID(), events: batch().slice(0, 100) }); // warm-up
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: INGEST_IN_FLIGHT }, async () => {
      while (next < batches.length) {
        const events = batches[next++];
        await edge.pushEvaluationEvents({ batchId: crypto.randomUUID(), events });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = INGEST_BATCHES * INGEST_BATCH_SIZE;
  const [row] = await handle.execute<{ n: string }>(
    sql`select count(*)::text as n from evaluation_events where team_id = ${team.teamId}`,
  );
  console.log(
    `ingest: ${total} events in ${INGEST_BATCHES} batches of ${INGEST_BATCH_SIZE} (${INGEST_IN_FLIGHT} in flight), ${Math.round(total / seconds)} events/s stored with rollups (${row.n} rows)  (target ≥ 50,000/s)`,
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
    await tx.execute(sql`select nextval('config_version')`);
  });
}
