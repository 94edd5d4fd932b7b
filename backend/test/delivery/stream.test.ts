import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import {
  addContextValue,
  createClient,
  createContext,
  createFlag,
  createTeam,
  deleteFlag,
  setClientEnabled,
  setKilled,
  type TeamFixture,
} from "./fixtures.ts";
import { type Backend, Recorder, startBackend, waitFor } from "./harness.ts";

let backend: Backend;
let teamA: TeamFixture;
let teamB: TeamFixture;

beforeAll(async () => {
  backend = await startBackend();
  teamA = await createTeam(backend.database.db);
  teamB = await createTeam(backend.database.db);
}, 30_000);

afterAll(async () => {
  await backend.stop();
}, 30_000);

describe("StreamUpdates", () => {
  test("a sync client gets a snapshot, then live UPSERT and DELETE", async () => {
    const { db } = backend.database;
    const client = await createClient(db, teamA.teamId);
    const pay = await createFlag(db, teamA.teamId, "pay", { stages: [{ environmentId: teamA.prod }] });
    const edge = new Recorder(backend.url, client).start();
    try {
      await waitFor(() => edge.snapshots.length === 1, 5_000, "snapshot");
      const [snapshot] = edge.snapshots;
      expect(snapshot.flags.map((f) => f.key)).toContain("pay");
      expect(snapshot.environments.map((e) => e.name).sort()).toEqual(["dev", "prod"]);
      expect(snapshot.version).toBeGreaterThanOrEqual(pay.version);
      await waitFor(() => edge.client.connected, 2_000, "connected");

      const killedAt = await setKilled(db, pay.id, true);
      await waitFor(() => edge.flags.get("pay")?.killed === true, 3_000, "kill delta");
      expect(edge.deltas.at(-1)?.version).toBeGreaterThanOrEqual(killedAt);

      const checkout = await createFlag(db, teamA.teamId, "checkout", { stages: [{ environmentId: teamA.dev }] });
      await waitFor(() => edge.flags.has("checkout"), 3_000, "created flag");
      await deleteFlag(db, checkout.id);
      await waitFor(() => !edge.flags.has("checkout"), 3_000, "deleted flag");
      expect(edge.deltas.some((d) => d.deletes.includes("checkout"))).toBe(true);
      expect(edge.snapshots.length).toBe(1);
    } finally {
      await edge.stop();
    }
  });

  test("a client of team A never sees team B's flags", async () => {
    const { db } = backend.database;
    const clientA = await createClient(db, teamA.teamId);
    await createFlag(db, teamB.teamId, "b-secret", { stages: [{ environmentId: teamB.prod }] });
    const edge = new Recorder(backend.url, clientA).start();
    try {
      await waitFor(() => edge.snapshots.length === 1, 5_000, "snapshot");
      await createFlag(db, teamB.teamId, "b-live", { stages: [{ environmentId: teamB.prod }] });
      const marker = await createFlag(db, teamA.teamId, "a-marker", { stages: [{ environmentId: teamA.prod }] });
      await waitFor(() => edge.flags.has("a-marker"), 3_000, "own flag");
      expect(edge.client.version).toBeGreaterThanOrEqual(marker.version);
      const seen = [...edge.snapshots.flatMap((s) => s.flags), ...edge.deltas.flatMap((d) => d.upserts)].map(
        (f) => f.key,
      );
      expect(seen).not.toContain("b-secret");
      expect(seen).not.toContain("b-live");
      expect(edge.snapshots[0].environments.every((e) => e.id === teamA.dev || e.id === teamA.prod)).toBe(true);
    } finally {
      await edge.stop();
    }
  });

  test("a client offline during three changes catches up with exactly those deltas", async () => {
    const { db } = backend.database;
    const client = await createClient(db, teamA.teamId);
    const flags = await Promise.all(
      ["c1", "c2", "c3"].map((k) => createFlag(db, teamA.teamId, k, { stages: [{ environmentId: teamA.prod }] })),
    );
    const first = new Recorder(backend.url, client).start();
    await waitFor(() => first.snapshots.length === 1 && first.client.connected, 5_000, "snapshot");
    // the flags were created concurrently: their versions may still be arriving as deltas after the snapshot
    const created = Math.max(...flags.map((f) => f.version));
    await waitFor(() => (first.client.current()?.version ?? 0) >= created, 5_000, "the created flags");
    const held = first.client.current();
    await first.stop();

    await setKilled(db, flags[0].id, true);
    await setKilled(db, flags[1].id, true);
    await deleteFlag(db, flags[2].id);
    // the backend has handled them: a catch-up read before that serves the state it holds, then the deltas
    await backend.delivery.settle();

    const again = new Recorder(backend.url, client, { initialSnapshot: held ?? undefined }).start();
    try {
      await waitFor(() => again.client.connected, 5_000, "reconnected");
      // connected comes before the catch-up deltas have all been read
      const received = () => again.deltas.reduce((n, d) => n + d.upserts.length + d.deletes.length, 0);
      await waitFor(() => received() >= 3, 5_000, "the three deltas");
      expect(again.snapshots.length).toBe(0);
      const upserts = again.deltas.flatMap((d) => d.upserts.map((f) => f.key)).sort();
      const deletes = again.deltas.flatMap((d) => d.deletes);
      expect(upserts).toEqual(["c1", "c2"]);
      expect(deletes).toEqual(["c3"]);
      const state = again.client.current();
      expect(state?.flags.find((f) => f.key === "c1")?.killed).toBe(true);
      expect(state?.flags.some((f) => f.key === "c3")).toBe(false);
    } finally {
      await again.stop();
    }
  });

  test("rules read context lists, and a context change reaches the flags using it", async () => {
    const { db } = backend.database;
    const client = await createClient(db, teamA.teamId);
    const beta = await createContext(db, teamA.teamId, "beta-users", ["ann"]);
    await createFlag(db, teamA.teamId, "beta-only", {
      stages: [
        {
          environmentId: teamA.prod,
          rules: [
            {
              groups: [
                { operator: "AND", conditions: [{ contextKey: "user", operator: "in", values: [], contextId: beta }] },
              ],
            },
          ],
        },
      ],
    });
    // team A is held already: until the feed has read the new flag, a snapshot is of the state before it
    await backend.delivery.settle();
    const edge = new Recorder(backend.url, client).start();
    try {
      await waitFor(() => edge.snapshots.length === 1, 5_000, "snapshot");
      const values = () => edge.flags.get("beta-only")?.stages[0].rules[0].groups[0].conditions[0].values;
      expect(values()).toEqual(["ann"]);
      await addContextValue(db, teamA.teamId, beta, "bob");
      await waitFor(() => values()?.includes("bob") === true, 3_000, "context delta");
    } finally {
      await edge.stop();
    }
  });

  test("a disabled client's open stream is closed with PERMISSION_DENIED", async () => {
    const { db } = backend.database;
    const client = await createClient(db, teamA.teamId);
    const edge = new Recorder(backend.url, client).start();
    try {
      await waitFor(() => edge.client.connected, 5_000, "connected");
      await setClientEnabled(db, client.id, false);
      await waitFor(() => !edge.client.connected, 3_000, "cut off");
      const last = edge.states.at(-1);
      expect(last?.connected).toBe(false);
      expect(last?.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(last?.error?.refused).toBe(true);
    } finally {
      await edge.stop();
    }
  });

  test("a wrong secret is UNAUTHENTICATED and the client backs off instead of retrying", async () => {
    const { db } = backend.database;
    const client = await createClient(db, teamA.teamId);
    const edge = new Recorder(backend.url, { id: client.id, secret: "fgs_wrong" }).start();
    try {
      await waitFor(() => edge.states.length > 0, 3_000, "state change");
      expect(edge.states[0]).toMatchObject({
        connected: false,
        error: { code: grpc.status.UNAUTHENTICATED, refused: true },
      });
      await Bun.sleep(400);
      // refusals wait the max delay (1 s here): no second attempt yet
      expect(edge.states.length).toBe(1);
    } finally {
      await edge.stop();
    }
  });
});
