/**
 * The edge killed (kill -9, so no graceful snapshot write) and restarted while the backend is down: it serves from
 * its disk snapshot at once — the same answers, user for user, as before — says `degraded`, and catches up when
 * the backend comes back.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
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
  respawnEdge,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  tempDir,
  waitReady,
} from "./support/procs.ts";
import { createFlag, evaluate, evaluateTarget, setRollout, setupWorld, type World } from "./support/world.ts";

let backend: BackendProcess;
let edge: EdgeProcess;
let world: World;
const KEYS = ["fl-on", "fl-off", "fl-split"];
const USERS = Array.from({ length: 40 }, (_, i) => `user-${i}`);

beforeAll(async () => {
  const dataDir = join(tempDir(), "data");
  await prepareDataDir(dataDir);
  backend = await spawnBackend({ dataDir });
  world = await setupWorld(backend.url);
  await createFlag(world, "fl-on", 100);
  await createFlag(world, "fl-off", 0);
  await createFlag(world, "fl-split", 50);
  edge = await spawnEdge({
    backendGrpc: backend.grpcUrl,
    clientId: world.client.id,
    clientSecret: world.client.secret,
  });
  await waitReady(edge, { connected: true });
  await waitForFlags(edge.url, { "fl-on": true, "fl-off": false }, "the initial flags");
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

async function answers(url: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of KEYS) {
    for (const user of USERS) {
      const a = await evaluate(url, key, user);
      out.push(`${key}/${user}: ${a.status} ${a.enabled} ${a.reason}`);
    }
  }
  return out;
}

test("an edge restarted while the backend is down serves its disk snapshot, then catches up", async () => {
  const before = await answers(edge.url);
  const split = before.filter((line) => line.startsWith("fl-split/") && line.includes(" true "));
  expect(split.length).toBeGreaterThan(5); // a real split, so "same answers" means something
  expect(split.length).toBeLessThan(35);
  const { version } = await edge.health();
  await eventually(() => existsSync(edge.snapshotPath), "the snapshot file");
  let fileVersions: unknown;
  await eventually(() => {
    const file = JSON.parse(readFileSync(edge.snapshotPath, "utf8"));
    fileVersions = file.teams?.map((t: { version: number }) => t.version);
    return file.teams?.[0]?.version === version;
  }, `the snapshot file at version ${version}`).catch((error) => {
    throw new Error(`${error.message} (file has ${JSON.stringify(fileVersions)})`);
  });

  await backend.kill9();
  await edge.kill9();
  const restarted = performance.now();
  edge = await respawnEdge(edge);
  const health = await waitReady(edge, { timeoutMs: 10_000 });
  const readyMs = Math.round(performance.now() - restarted);
  expect(health.status).toBe("degraded");
  expect(health.connected).toBe(false);
  expect(health.version).toBe(version);
  expect(health.flags).toBe(3);
  expect(await answers(edge.url)).toEqual(before);

  const load = startLoad(
    evaluateTarget([edge.url], () => KEYS),
    { rate: 200 },
  );
  await Bun.sleep(3_000);
  backend = await respawnBackend(backend);
  await waitReady(edge, { connected: true, timeoutMs: 30_000 });
  await setRollout(world, world.flags.get("fl-off")!, 100);
  await createFlag(world, "fl-new", 100);
  await waitForFlags(edge.url, { "fl-on": true, "fl-off": true, "fl-new": true }, "changes after the backend is back");
  const stats = await load.stop();
  console.log(
    `[edge restart offline] ready from its snapshot ${readyMs} ms after the spawn (version ${version}, ` +
      `${before.length} answers identical); load across the backend's return: ${formatLoad(stats)}`,
  );
  expect(stats.errors).toBe(0);
}, 90_000);
