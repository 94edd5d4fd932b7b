/**
 * kill -9 of the backend under load (embedded PGlite, the zero-setup default, as `npm start` runs it):
 * - the edge keeps answering every request (error rate 0) from its store while the backend is gone;
 * - changes committed just before the kill (maybe not yet delivered) and changes made after the restart on the
 *   same data folder and ports all reach the edge: its stream resumes, nothing is missed;
 * - a multi-row write in flight at the kill is all there or not at all (PGlite crash recovery);
 * - sessions survive (the signing key ring is in the database) and the stale data-folder lock is taken over.
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
  respawnBackend,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  tempDir,
  waitReady,
} from "./support/procs.ts";
import {
  createFlag,
  deleteFlag,
  evaluateTarget,
  killFlag,
  setRollout,
  setupWorld,
  type World,
} from "./support/world.ts";
import { contextsWithPrefix, startWriter, tornValues } from "./support/writer.ts";

let backend: BackendProcess;
let edge: EdgeProcess;
let world: World;

beforeAll(async () => {
  const dataDir = join(tempDir(), "data");
  await prepareDataDir(dataDir);
  backend = await spawnBackend({ name: "backend", dataDir });
  world = await setupWorld(backend.url, { flags: ["fl0", "fl1", "fl2", "fl3", "fl4", "fl5"] });
  edge = await spawnEdge({
    backendGrpc: backend.grpcUrl,
    clientId: world.client.id,
    clientSecret: world.client.secret,
  });
  await waitReady(edge, { connected: true });
  await waitForFlags(
    edge.url,
    { fl0: true, fl1: true, fl2: true, fl3: true, fl4: true, fl5: true },
    "the initial flags",
  );
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

test("kill -9 under load: the edge answers throughout, resumes its stream and misses no change", async () => {
  const load = startLoad(
    evaluateTarget([edge.url], () => ["fl0", "fl1", "fl2", "fl3", "fl4"]),
    { rate: 200 },
  );
  const writer = startWriter(world, { prefix: "kill9", mode: "create" });
  await Bun.sleep(1_000);

  // committed just before the kill: the edge may or may not have them when the backend dies
  await setRollout(world, world.flags.get("fl0")!, 0);
  await createFlag(world, "fl6", 100);
  await deleteFlag(world, world.flags.get("fl5")!);
  await Bun.sleep(150); // a write of the writer is in flight now
  await backend.kill9();
  const killedAt = performance.now();
  await eventually(async () => (await edge.health()).connected === false, "the edge to notice the backend is gone");
  const degraded = await edge.health();
  expect(degraded.httpStatus).toBe(200); // still ready: it has a store
  expect(degraded.status).toBe("degraded");
  await Bun.sleep(1_000);

  backend = await respawnBackend(backend);
  const restartedInMs = performance.now() - killedAt;
  await waitReady(edge, { connected: true, timeoutMs: 30_000 });
  const reconnectedInMs = performance.now() - killedAt;
  const written = await writer.stop();

  // made after the restart, with the session from before the kill
  await setRollout(world, world.flags.get("fl1")!, 0);
  await createFlag(world, "fl7", 100);
  await killFlag(world, world.flags.get("fl2")!);

  await waitForFlags(
    edge.url,
    { fl0: false, fl1: false, fl2: false, fl3: true, fl4: true, fl5: "missing", fl6: true, fl7: true },
    "every change from before the kill and after the restart at the edge",
  );
  const stats = await load.stop();
  const contexts = await contextsWithPrefix(world, "kill9-");
  const torn = contexts.map(tornValues).filter(Boolean);
  const keys = new Set(contexts.map((c) => c.key));
  const lost = written.created.filter((key) => !keys.has(key));

  console.log(
    `[backend kill -9] backend back in ${Math.round(restartedInMs)} ms, edge reconnected ${Math.round(reconnectedInMs)} ms after the kill; ` +
      `edge load: ${formatLoad(stats)}; writer: ${written.ok} ok / ${written.failed} failed, ${contexts.length} contexts stored, ` +
      `${torn.length} torn, ${lost.length} acknowledged but lost; edge RSS ${edge.rss()} MiB`,
  );
  expect(stats.errors).toBe(0);
  expect(torn).toEqual([]);
  expect(lost).toEqual([]);
  expect(edge.alive()).toBe(true);
}, 90_000);
