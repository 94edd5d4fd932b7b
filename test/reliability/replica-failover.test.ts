/**
 * Two backend replicas on one Postgres (our own temporary cluster), one killed with -9: the edges reconnect to
 * the other and keep getting changes. The edge takes a single EDGE_BACKEND_GRPC (edge/src/config.ts accepts one
 * http(s)://host:port, no list), so the replicas sit behind a TCP proxy that sends each new connection to the
 * first replica that accepts it — as a load balancer or a DNS name with several addresses would in production.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { gqlClient } from "../../backend/test/support/gql.ts";
import { waitForFlags } from "./support/expect-flags.ts";
import { formatLoad, startLoad } from "./support/load.ts";
import {
  type BackendProcess,
  type EdgeProcess,
  eventually,
  removeTempDirs,
  respawnBackend,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  waitReady,
} from "./support/procs.ts";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.ts";
import { createTempPostgres, type TempPostgres, tempPostgresUnavailable } from "./support/temp-postgres.ts";
import { createFlag, evaluateTarget, setRollout, setupWorld, type World } from "./support/world.ts";

const unavailable = tempPostgresUnavailable();
if (unavailable) console.warn(`[replica failover] skipped: ${unavailable}`);

let pg: TempPostgres;
let replicaA: BackendProcess;
let replicaB: BackendProcess;
let proxy: TcpProxy;
let edges: EdgeProcess[];
let world: World;

beforeAll(async () => {
  if (unavailable) return;
  pg = await createTempPostgres();
  replicaA = await spawnBackend({ name: "replica-a", databaseUrl: pg.url });
  replicaB = await spawnBackend({ name: "replica-b", databaseUrl: pg.url });
  world = await setupWorld(replicaA.url, { flags: ["fl0", "fl1", "fl2", "fl3"] });
  proxy = startTcpProxy([replicaA.grpcPort, replicaB.grpcPort]);
  edges = await Promise.all(
    ["edge-1", "edge-2"].map((name) =>
      spawnEdge({ name, backendGrpc: proxy.url, clientId: world.client.id, clientSecret: world.client.secret }),
    ),
  );
  await Promise.all(edges.map((e) => waitReady(e, { connected: true })));
  for (const e of edges) await waitForFlags(e.url, { fl0: true, fl1: true, fl2: true, fl3: true }, "initial flags");
}, 240_000);

afterAll(async () => {
  proxy?.close();
  await stopAllProcesses();
  await pg?.destroy();
  removeTempDirs();
});

/** The same world, driven through another replica's GraphQL (the session is valid on every replica). */
const through = (replica: BackendProcess): World => ({
  ...world,
  backendUrl: replica.url,
  gql: gqlClient(`${replica.url}/graphql`),
});

test.skipIf(!!unavailable)(
  "kill -9 of the replica the edges stream from: they reconnect to the other and miss nothing",
  async () => {
    expect([...proxy.connections().keys()]).toEqual([replicaA.grpcPort]); // everyone on A first
    const load = startLoad(
      evaluateTarget(
        edges.map((e) => e.url),
        () => ["fl0", "fl1", "fl2", "fl3"],
      ),
      { rate: 200 },
    );
    // a change through B reaches edges streaming from A (Postgres is the bus)
    await setRollout(through(replicaB), world.flags.get("fl0")!, 0);
    for (const e of edges) await waitForFlags(e.url, { fl0: false }, `${e.name}: a change made on replica B`);

    await setRollout(world, world.flags.get("fl1")!, 0); // through A, right before it dies
    await replicaA.kill9();
    const killedAt = performance.now();
    // An edge's /health can still say "connected" before it has noticed the kill: wait for both streams on B.
    const onB = await eventually(
      () => {
        const n = proxy.connections().get(replicaB.grpcPort) ?? 0;
        return n >= edges.length && n;
      },
      "both edges streaming from replica B",
      30_000,
    );
    await Promise.all(edges.map((e) => waitReady(e, { connected: true, timeoutMs: 30_000 })));
    const reconnectedMs = Math.round(performance.now() - killedAt);

    const b = through(replicaB);
    await setRollout(b, world.flags.get("fl2")!, 0);
    await createFlag(b, "fl4", 100);
    for (const e of edges) {
      await waitForFlags(
        e.url,
        { fl0: false, fl1: false, fl2: false, fl3: true, fl4: true },
        `${e.name}: every change after failing over`,
      );
    }
    // and back: A returns, B dies, the edges go to A
    replicaA = await respawnBackend(replicaA);
    await replicaB.kill9();
    await Promise.all(edges.map((e) => waitReady(e, { connected: true, timeoutMs: 30_000 })));
    await setRollout(world, world.flags.get("fl3")!, 0);
    for (const e of edges) await waitForFlags(e.url, { fl3: false }, `${e.name}: a change after failing back to A`);
    const stats = await load.stop();
    console.log(
      `[replica failover] both edges connected again ${reconnectedMs} ms after replica A died (${onB} proxy ` +
        `connections on B), failed back to A after B died; load over both edges: ${formatLoad(stats)}`,
    );
    expect(stats.errors).toBe(0);
  },
  90_000,
);
