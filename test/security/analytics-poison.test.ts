/**
 * One request with an awkward context value must not cost the analytics of everyone else. Found by the edge fuzzer:
 * the edge buffers exposure events with the request's context and sends them in one batch per client with the
 * exact evaluation counters; the backend (backend/src/delivery/events-service.ts) checked the batch as a whole.
 * - a context value over 1,000 characters: the backend refused the batch (INVALID_ARGUMENT), the edge discarded it —
 *   the counts of every other request of that interval were lost (so did a user id over 255, or over 100 attributes);
 * - a NUL character in a context value: Postgres refused it (jsonb), the batch failed as retryable, the edge retried
 *   it for ever and sealed nothing new meanwhile — that client's analytics stopped until the edge restarted.
 * Now both sides cut free-form detail to the same limits (@fluxgate/proto `detailText`) instead of refusing it.
 *
 * Real processes: backend (demo team) + edge flushing every second. Each case sends good evaluations plus ONE
 * request carrying the awkward value, then checks that the batch was delivered, not discarded or stuck.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
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
} from "../reliability/support/procs.ts";

let backend: BackendProcess;
let edge: EdgeProcess;

beforeAll(async () => {
  const dir = tempDir();
  const dataDir = join(dir, "data");
  await prepareDataDir(dataDir);
  const demoFile = join(dir, "demo.env");
  backend = await spawnBackend({ dataDir, demoClientFile: demoFile });
  const env = Object.fromEntries(
    readFileSync(demoFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split("=") as [string, string]),
  );
  edge = await spawnEdge({
    backendGrpc: backend.grpcUrl,
    clientId: env.EDGE_CLIENT_ID,
    clientSecret: env.EDGE_CLIENT_SECRET,
    env: { EDGE_EVALUATION_FLUSH_SECS: "1", EDGE_ASSIGNMENT_FLUSH_SECS: "1" },
  });
  await waitReady(edge, { connected: true });
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${edge.url}/metrics`)).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

type Pair = { key: string; value: string };

const evaluate = (context: Pair[]) =>
  fetch(`${edge.url}/evaluate`, {
    method: "POST",
    body: JSON.stringify({ feature_key: "new-checkout", environment_id: "development", context }),
  });

const manyAttributes = Array.from({ length: 150 }, (_, i) => ({ key: `attr${i}`, value: "v" }));

test.each([
  [
    "a context value longer than 1000 characters",
    [
      { key: "userId", value: "u1" },
      { key: "note", value: "x".repeat(1_500) },
    ],
  ],
  ["a NUL character in the user id (context and sticky identity)", [{ key: "userId", value: "u-\u0000-1" }]],
  [
    "a NUL character in an attribute name",
    [
      { key: "userId", value: "u2" },
      { key: "na\u0000me", value: "v" },
    ],
  ],
  ["a user id longer than 255 characters", [{ key: "userId", value: "u".repeat(300) }]],
  ["more than 100 context attributes", [{ key: "userId", value: "u3" }, ...manyAttributes]],
])(
  "%s: the batch is delivered, counts included",
  async (_, awkward: Pair[]) => {
    const delivered = await metric("fluxgate_edge_analytics_batches_delivered_total");
    const discarded = await metric("fluxgate_edge_analytics_batches_discarded_total");
    for (let i = 0; i < 20; i++) expect((await evaluate([{ key: "userId", value: `user-${i}` }])).status).toBe(200);
    expect((await evaluate(awkward)).status).toBe(200); // the edge answers it: fine
    // everything recorded is sealed and nothing waits for a retry (a stuck batch stays pending)
    await eventually(
      async () =>
        (await metric("fluxgate_edge_analytics_batches_delivered_total")) > delivered &&
        (await metric("fluxgate_edge_event_buffer_size")) === 0 &&
        (await metric("fluxgate_edge_analytics_batches_pending")) === 0,
      "every evaluation delivered",
      8_000,
      200,
    ).catch(() => undefined);
    const after = {
      delivered: (await metric("fluxgate_edge_analytics_batches_delivered_total")) > delivered,
      discarded: (await metric("fluxgate_edge_analytics_batches_discarded_total")) - discarded,
      buffered: await metric("fluxgate_edge_event_buffer_size"),
      pending: await metric("fluxgate_edge_analytics_batches_pending"),
    };
    console.log(`[analytics poison] ${_}: ${JSON.stringify(after)}`);
    expect(after).toEqual({ delivered: true, discarded: 0, buffered: 0, pending: 0 });
  },
  30_000,
);
