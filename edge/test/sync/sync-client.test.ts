import { afterEach, describe, expect, test } from "bun:test";
import { deflateRawSync } from "node:zlib";
import type { Flag, Snapshot } from "@fluxgate/engine";
import * as grpc from "@grpc/grpc-js";
import {
  createSyncClient,
  jitteredDelay,
  refusalDelay,
  type SyncClient,
  type SyncError,
} from "../../src/sync/index.ts";
import { FakeBackend, flagFeature, sendSnapshot } from "./fake-backend.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function codeOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

function client(backend: FakeBackend, extra: Partial<Parameters<typeof createSyncClient>[0]> = {}) {
  const seen = {
    snapshots: [] as Snapshot[],
    deltas: [] as { upserts: Flag[]; deletes: string[]; version: number }[],
    states: [] as { connected: boolean; error?: SyncError }[],
  };
  const sync: SyncClient = createSyncClient({
    backendUrl: backend.url,
    clientId: "00000000-0000-4000-8000-000000000001",
    clientSecret: "fgs_test",
    backoff: { initialMs: 20, maxMs: 400 },
    heartbeatMs: 100,
    onSnapshot: (s) => seen.snapshots.push(s),
    onDelta: (upserts, deletes, version) => seen.deltas.push({ upserts, deletes, version }),
    onStateChange: (connected, error) => seen.states.push({ connected, error }),
    ...extra,
  });
  cleanups.push(() => sync.stop());
  return { sync, seen };
}

async function fake(): Promise<FakeBackend> {
  const backend = await new FakeBackend().start();
  cleanups.push(() => backend.stop());
  return backend;
}

describe("backoff", () => {
  test("full jitter below a doubling ceiling capped at the max", () => {
    const policy = { initialMs: 1_000, maxMs: 30_000 };
    expect(jitteredDelay(policy, 0, () => 0.999)).toBe(999);
    expect(jitteredDelay(policy, 3, () => 0.5)).toBe(4_000);
    expect(jitteredDelay(policy, 50, () => 0.999)).toBe(29_970);
    expect(jitteredDelay(policy, 4, () => 0)).toBe(0);
    expect(refusalDelay(policy, () => 0)).toBe(24_000);
    expect(refusalDelay(policy, () => 1)).toBe(30_000);
  });
});

describe("sync client", () => {
  test("emits a snapshot only when it is complete, then deltas batched by more_follows", async () => {
    const backend = await fake();
    backend.onSubscribe = (call) => {
      call.write({
        action: "SNAPSHOT_BEGIN",
        version: 5,
        team_id: "t",
        environments: [{ id: "e1", name: "prod" }],
        snapshot_size: 2,
      });
      call.write({ action: "SNAPSHOT", version: 5, feature: flagFeature("a") });
      setTimeout(() => {
        call.write({ action: "SNAPSHOT", version: 5, feature: flagFeature("b") });
        call.write({ action: "SNAPSHOT_END", version: 5 });
        call.write({ action: "UPSERT", version: 6, feature: flagFeature("c"), more_follows: true });
        call.write({ action: "DELETE", version: 6, feature_key: "a", feature_id: "id-a" });
      }, 50);
    };
    const { sync, seen } = client(backend);
    sync.start();
    await until(() => seen.snapshots.length === 1);
    expect(seen.snapshots[0]).toMatchObject({ version: 5, teamId: "t", environments: [{ id: "e1", name: "prod" }] });
    expect(seen.snapshots[0].flags.map((f) => f.key)).toEqual(["a", "b"]);
    await until(() => seen.deltas.length === 1);
    expect(seen.deltas[0]).toMatchObject({ deletes: ["a"], version: 6 });
    expect(seen.deltas[0].upserts.map((f) => f.key)).toEqual(["c"]);
    expect(
      sync
        .current()
        ?.flags.map((f) => f.key)
        .sort(),
    ).toEqual(["b", "c"]);
  });

  test("asks for deflated compact chunks and reads them, as well as plain JSON chunks", async () => {
    const backend = await fake();
    const flag = (key: string) => JSON.parse(flagFeature(key).flag_json) as Flag;
    backend.onSubscribe = (call) => {
      call.write({ action: "SNAPSHOT_BEGIN", version: 3, team_id: "t", environments: [], snapshot_size: 3 });
      call.write({
        action: "SNAPSHOT",
        version: 3,
        flags_json_deflate: deflateRawSync(JSON.stringify([flag("a"), flag("é✓")])),
      });
      call.write({ action: "SNAPSHOT", version: 3, flags_json: JSON.stringify([flag("c")]) });
      call.write({ action: "SNAPSHOT_END", version: 3 });
    };
    const { sync, seen } = client(backend);
    sync.start();
    await until(() => seen.snapshots.length === 1);
    expect(backend.subscribes[0]).toMatchObject({ compact_snapshot: true, deflate_snapshot: true });
    expect(seen.snapshots[0].flags).toEqual([flag("a"), flag("é✓"), flag("c")]);
  });

  test("a renamed flag deletes its old key", async () => {
    const backend = await fake();
    backend.onSubscribe = (call) => {
      sendSnapshot(call, 1, ["old"]);
      call.write({ action: "UPSERT", version: 2, feature: flagFeature("new", { id: "id-old" }) });
    };
    const { sync, seen } = client(backend);
    sync.start();
    await until(() => seen.deltas.length === 1);
    expect(seen.deltas[0].deletes).toEqual(["old"]);
    expect(sync.current()?.flags.map((f) => f.key)).toEqual(["new"]);
  });

  test("a heartbeat ahead of the held version resubscribes with since_version, then asks for a snapshot", async () => {
    const backend = await fake();
    backend.onSubscribe = (call, req) => {
      if (req.since_version === 0) sendSnapshot(call, 3, ["a"]);
      call.write({ action: "HEARTBEAT", version: 9 });
    };
    const { sync } = client(backend);
    sync.start();
    await until(() => backend.subscribes.length >= 3);
    expect(backend.subscribes.slice(0, 3).map((s) => Number(s.since_version))).toEqual([0, 3, 0]);
  });

  test("reconnects with jittered backoff after the stream breaks, resuming from its version", async () => {
    const backend = await fake();
    backend.onSubscribe = (call, req) => {
      if (req.since_version === 0) sendSnapshot(call, 4, ["a"]);
      else call.write({ action: "HEARTBEAT", version: 4 });
      if (backend.subscribes.length === 1)
        setTimeout(() => call.emit("error", { code: grpc.status.UNAVAILABLE, details: "bye" }), 30);
    };
    const { sync, seen } = client(backend);
    sync.start();
    await until(() => backend.subscribes.length === 2 && sync.connected);
    expect(Number(backend.subscribes[1].since_version)).toBe(4);
    expect(seen.states.map((s) => s.connected)).toEqual([true, false, true]);
    expect(seen.states[1].error).toMatchObject({ code: grpc.status.UNAVAILABLE, refused: false });
    expect(seen.snapshots.length).toBe(1);
  });

  test("refused credentials back off at the max delay: no retry storm", async () => {
    const backend = await fake();
    backend.onSubscribe = (call) =>
      call.emit("error", { code: grpc.status.UNAUTHENTICATED, details: "invalid client credentials" });
    const { sync, seen } = client(backend);
    const started = Date.now();
    sync.start();
    expect(Date.now() - started).toBeLessThan(50); // start() never waits on the network
    await until(() => seen.states.length === 1);
    expect(seen.states[0]).toMatchObject({
      connected: false,
      error: { code: grpc.status.UNAUTHENTICATED, refused: true },
    });
    await Bun.sleep(250);
    expect(backend.subscribes.length).toBe(1); // max delay is 400 ms (≥ 320 with jitter)
    await until(() => backend.subscribes.length === 2, 1_000);
  });

  test("unary calls retry UNAVAILABLE only, a bounded number of times", async () => {
    const backend = await fake();
    const { sync } = client(backend, { retry: { attempts: 3, initialMs: 5, maxMs: 20 } });
    backend.unaryFailures = [grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE];
    expect((await sync.getClientInfo()).team_id).toBe("t");
    expect(backend.unaryCalls).toBe(3);
    backend.unaryCalls = 0;
    backend.unaryFailures = [grpc.status.UNAUTHENTICATED];
    expect(await codeOf(sync.getClientInfo())).toBe(grpc.status.UNAUTHENTICATED);
    expect(backend.unaryCalls).toBe(1);
    backend.unaryCalls = 0;
    backend.unaryFailures = [
      grpc.status.UNAVAILABLE,
      grpc.status.UNAVAILABLE,
      grpc.status.UNAVAILABLE,
      grpc.status.UNAVAILABLE,
    ];
    expect(await codeOf(sync.getClientInfo())).toBe(grpc.status.UNAVAILABLE);
    expect(backend.unaryCalls).toBe(3);
  });
});
