/**
 * The network between edge and backend cut while both keep running: the edge's gRPC link goes through a TCP
 * proxy that stops passing bytes (a partition: nothing is refused or reset, packets just stop), and, separately,
 * the backend process is frozen with SIGSTOP. The edge keeps answering every request from its store, /health
 * says `degraded` once it notices, and on recovery it gets every change made during the cut.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
import { waitForFlags } from "./support/expect-flags.ts";
import { formatLoad, startLoad } from "./support/load.ts";
import {
  type BackendProcess,
  type EdgeProcess,
  eventually,
  removeTempDirs,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  tempDir,
  waitReady,
} from "./support/procs.ts";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.ts";
import { createFlag, evaluateTarget, setRollout, setupWorld, type World } from "./support/world.ts";

let backend: BackendProcess;
let edge: EdgeProcess;
let proxy: TcpProxy;
let world: World;

beforeAll(async () => {
  const dataDir = join(tempDir(), "data");
  await prepareDataDir(dataDir);
  backend = await spawnBackend({ dataDir });
  world = await setupWorld(backend.url, { flags: ["fl0", "fl1", "fl2"] });
  proxy = startTcpProxy([backend.grpcPort]);
  edge = await spawnEdge({ backendGrpc: proxy.url, clientId: world.client.id, clientSecret: world.client.secret });
  await waitReady(edge, { connected: true });
  await waitForFlags(edge.url, { fl0: true, fl1: true, fl2: true }, "the initial flags");
}, 240_000);

afterAll(async () => {
  proxy?.close();
  await stopAllProcesses();
  removeTempDirs();
});

test("a partition: the edge serves throughout, says degraded, and gets the changes made meanwhile", async () => {
  const load = startLoad(
    evaluateTarget([edge.url], () => ["fl0", "fl1", "fl2"]),
    { rate: 150 },
  );
  proxy.pause();
  const cutAt = performance.now();
  // the backend is fine and takes changes the edge cannot receive yet
  await setRollout(world, world.flags.get("fl0")!, 0);
  await createFlag(world, "fl3", 100);
  await Bun.sleep(500);
  await waitForFlags(edge.url, { fl0: true, fl3: "missing" }, "the edge still serving its store", 5_000);
  await eventually(async () => (await edge.health()).status === "degraded", "/health degraded", 75_000, 250);
  const degradedAfterMs = Math.round(performance.now() - cutAt);
  const during = load.snapshot();
  proxy.resume();
  const healedAt = performance.now();
  await waitReady(edge, { connected: true, timeoutMs: 45_000 });
  await waitForFlags(edge.url, { fl0: false, fl1: true, fl2: true, fl3: true }, "the changes made during the cut");
  const caughtUpMs = Math.round(performance.now() - healedAt);
  const stats = await load.stop();
  console.log(
    `[network cut] /health said degraded ${degradedAfterMs} ms after the cut; caught up ${caughtUpMs} ms after it ` +
      `healed; edge load: ${formatLoad(stats)} (${during.errors} errors while cut)`,
  );
  expect(stats.errors).toBe(0);
}, 240_000);

test("SIGSTOP of the backend: the edge serves throughout and catches up after SIGCONT", async () => {
  const load = startLoad(
    evaluateTarget([edge.url], () => ["fl0", "fl1", "fl2", "fl3"]),
    { rate: 150 },
  );
  await setRollout(world, world.flags.get("fl1")!, 0);
  backend.signal("SIGSTOP");
  await Bun.sleep(5_000);
  const whileStopped = await edge.health();
  backend.signal("SIGCONT");
  await waitForFlags(edge.url, { fl0: false, fl1: false, fl2: true, fl3: true }, "the change made before SIGSTOP");
  await setRollout(world, world.flags.get("fl2")!, 0);
  await waitForFlags(edge.url, { fl2: false }, "a change after SIGCONT");
  const stats = await load.stop();
  console.log(
    `[SIGSTOP] /health while stopped 5 s: ${whileStopped.status} (connected ${whileStopped.connected}); edge load: ${formatLoad(stats)}`,
  );
  expect(whileStopped.httpStatus).toBe(200);
  expect(stats.errors).toBe(0);
}, 60_000);
