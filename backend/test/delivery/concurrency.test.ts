import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient, createFlag, createTeam } from "./fixtures.ts";
import { type Backend, rawClient, startBackend } from "./harness.ts";

let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
}, 30_000);

afterAll(async () => {
  await backend.stop();
}, 30_000);

// grpc-js on Bun crashed the process at ~4000 concurrent calls on one connection without
// `grpc.max_concurrent_streams` (architecture, Change feed and delivery)
test("5,000 concurrent calls on one connection all complete and the server stays up", async () => {
  const { db } = backend.database;
  const team = await createTeam(db);
  const client = await createClient(db, team.teamId);
  await createFlag(db, team.teamId, "hot", { stages: [{ environmentId: team.prod }] });
  // the point is that all complete and nothing crashes, not how fast: on a loaded machine 5,000 calls in one
  // process (client and server) took longer than the usual 10 s deadline, with the old delivery code too
  const rpc = rawClient(backend.url, 50_000);
  try {
    const request = {
      client_id: client.id,
      client_secret: client.secret,
      feature_key: "hot",
      environment_id: team.prod,
      context: [{ key: "user", value: "u" }],
    };
    const results = await Promise.allSettled(Array.from({ length: 5_000 }, () => rpc.call("Evaluate", request)));
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed.length).toBe(0);
    const after = await rpc.call("Evaluate", request);
    expect(after.enabled).toBe(true);
  } finally {
    rpc.close();
  }
}, 60_000);
