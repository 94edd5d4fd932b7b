import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type DatabaseHandle, openDatabase } from "@fluxgate/drizzle";
import { createClient, createFlag, createTeam, deleteFlag, setKilled } from "./fixtures.ts";
import { Recorder, waitFor } from "./harness.ts";
import { findPostgres, scratchDatabase } from "./postgres.ts";
import { type ReplicaProcess, spawnReplica } from "./replica-process.ts";

const server = await findPostgres();
if (!server.url) console.warn(`replicas.test: skipped, ${server.source}`);
else console.info(`replicas.test: Postgres from ${server.source}`);

describe.skipIf(!server.url)("two delivery replicas in separate processes over one Postgres", () => {
  let scratch: { url: string; drop: () => Promise<void> };
  let writer: DatabaseHandle;
  let replicas: ReplicaProcess[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase(server.url as string);
    writer = await openDatabase({ url: scratch.url, poolSize: 2 });
    replicas = await Promise.all([spawnReplica(scratch.url), spawnReplica(scratch.url)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await writer?.close();
    await scratch?.drop();
  }, 30_000);

  test("a change written once reaches edges on both replicas, in order", async () => {
    const db = writer.db;
    const team = await createTeam(db);
    const client = await createClient(db, team.teamId);
    const flag = await createFlag(db, team.teamId, "shared", { stages: [{ environmentId: team.prod }] });
    const edges = replicas.map((r) => new Recorder(r.url, client).start());
    try {
      await waitFor(() => edges.every((e) => e.client.connected), 10_000, "both edges connected");
      const killed = await setKilled(db, flag.id, true);
      await waitFor(() => edges.every((e) => e.flags.get("shared")?.killed === true), 5_000, "kill on both");
      const other = await createFlag(db, team.teamId, "later", { stages: [{ environmentId: team.dev }] });
      await deleteFlag(db, other.id);
      await waitFor(
        () => edges.every((e) => e.client.version >= killed + 2 && !e.flags.has("later")),
        5_000,
        "delete on both",
      );
      for (const e of edges) expect(e.snapshots.length).toBe(1);
    } finally {
      await Promise.all(edges.map((e) => e.stop()));
    }
  }, 30_000);

  test("an edge that moves from replica A to replica B catches up from its version", async () => {
    const db = writer.db;
    const team = await createTeam(db);
    const client = await createClient(db, team.teamId);
    const flag = await createFlag(db, team.teamId, "moving", { stages: [{ environmentId: team.prod }] });
    const onA = new Recorder(replicas[0].url, client).start();
    await waitFor(() => onA.client.connected, 10_000, "connected to A");
    const held = onA.client.current();
    await onA.stop();
    await setKilled(db, flag.id, true);
    const onB = new Recorder(replicas[1].url, client, { initialSnapshot: held ?? undefined }).start();
    try {
      await waitFor(() => onB.flags.get("moving")?.killed === true, 5_000, "delta on B");
      expect(onB.snapshots.length).toBe(0);
    } finally {
      await onB.stop();
    }
  }, 30_000);
});
