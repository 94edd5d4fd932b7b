import { describe, expect, test } from "bun:test";
import { EXPOSURE_DETAIL_LIMITS, loadFluxgateProto } from "@fluxgate/proto";
import { MAX_RECEIVE_BYTES } from "../../backend/src/delivery/grpc.ts";
import { EVENT_CONTEXT_TEXT, EVENTS_PER_BATCH, Recorder } from "../src/analytics/recorder.ts";
import { toProtoBatch } from "../src/upstream/sync-adapter.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("analytics recorder", () => {
  test("counts stay exact when the exposure buffer is full; only detail is dropped, and counted", () => {
    const recorder = new Recorder(2, T0);
    for (let i = 0; i < 5; i++)
      recorder.record("c1", "env", "flag", "on", true, false, `u${i}`, { userId: `u${i}` }, T0 + i);
    const [batch] = recorder.seal(() => "b1", T0 + 10);
    expect(batch.events).toHaveLength(2);
    expect(batch.droppedEvents).toBe(3);
    expect(batch.counters).toEqual([
      {
        featureKey: "flag",
        environmentId: "env",
        variant: "on",
        result: true,
        minuteMs: T0,
        evaluationCount: 5,
        cachedCount: 0,
      },
    ]);
    expect(recorder.droppedTotal).toBe(3);
  });

  test("a client's events come in batches of at most EVENTS_PER_BATCH, each with its own id; counters in the first", () => {
    const events = EVENTS_PER_BATCH * 2 + 5;
    const recorder = new Recorder(events, T0);
    for (let i = 0; i < events; i++) recorder.record("c1", "env", "flag", "on", true, false, `u${i}`, {}, T0 + 1);
    let n = 0;
    const batches = recorder.seal(() => `batch-${++n}`, T0 + 2);
    expect(batches.map((b) => [b.batchId, b.events.length, b.counters.length])).toEqual([
      ["batch-1", EVENTS_PER_BATCH, 1],
      ["batch-2", EVENTS_PER_BATCH, 0],
      ["batch-3", 5, 0],
    ]);
    expect(batches[0].counters[0].evaluationCount).toBe(events);
    const users = batches.flatMap((b) => b.events.map((e) => e.userContext));
    expect(new Set(users).size).toBe(events);
  });

  test("counters are kept per minute, per variant and result, and answers from sticky assignments are counted as cached", () => {
    const recorder = new Recorder(100, T0);
    recorder.record("c1", "env", "flag", "on", true, false, "a", {}, T0 + 1_000);
    recorder.record("c1", "env", "flag", "on", true, true, "a", {}, T0 + 2_000);
    recorder.record("c1", "env", "flag", "off", false, false, "b", {}, T0 + 3_000);
    recorder.record("c1", "env", "flag", "on", true, false, "c", {}, T0 + 61_000);
    const [batch] = recorder.seal(() => "b1", T0 + 62_000);
    const rows = batch.counters.map((c) => [c.minuteMs - T0, c.variant, c.result, c.evaluationCount, c.cachedCount]);
    expect(rows).toEqual([
      [0, "on", true, 2, 1],
      [0, "off", false, 1, 0],
      [60_000, "on", true, 1, 0],
    ]);
  });

  test("sealing makes one batch per client with its own id, then starts empty", () => {
    const recorder = new Recorder(100, T0);
    recorder.record("c1", "env", "flag", "on", true, false, "", { country: "US", n: 3 }, T0);
    recorder.record("c2", "env", "flag", "on", true, false, "", {}, T0);
    let n = 0;
    const batches = recorder.seal(() => `batch-${++n}`, T0 + 1);
    expect(batches.map((b) => [b.clientId, b.batchId])).toEqual([
      ["c1", "batch-1"],
      ["c2", "batch-2"],
    ]);
    expect(batches[0].events[0].context).toEqual([
      { key: "country", value: "US" },
      { key: "n", value: "3" },
    ]);
    expect(recorder.seal(() => "again", T0 + 2)).toEqual([]);
    expect(recorder.bufferFill).toBe(0);
  });

  test("totals for /metrics survive sealing", () => {
    const recorder = new Recorder(10, T0);
    recorder.record("c1", "env", "flag", "on", true, false, "", {}, T0);
    recorder.seal(() => "b", T0 + 1);
    recorder.record("c1", "env", "flag", "off", false, false, "", {}, T0 + 2);
    expect([...recorder.totals().values()]).toEqual([
      { clientId: "c1", environmentId: "env", flagKey: "flag", count: 2 },
    ]);
  });

  test("awkward detail is cut to what the backend stores: NUL replaced, long values cut, long keys left out, bounded per event", () => {
    const recorder = new Recorder(10, T0);
    const wide: Record<string, string> = {
      "k\u0000ey": "a\u0000b",
      long: "v".repeat(5_000),
      ["x".repeat(1_001)]: "skipped",
    };
    for (let i = 0; i < 200; i++) wide[`p${i}`] = "w".repeat(20);
    recorder.record("c1", "env", "flag", "on", true, false, `u\u0000${"n".repeat(400)}`, wide, T0);
    const narrow: Record<string, string> = {};
    for (let i = 0; i < 150; i++) narrow[`n${i}`] = "1";
    recorder.record("c1", "env", "flag", "on", true, false, "", narrow, T0);
    const [event, second] = recorder.seal(() => "b", T0 + 1)[0].events;
    expect(event.userContext).toBe(`u\uFFFD${"n".repeat(EXPOSURE_DETAIL_LIMITS.userContext - 2)}`);
    expect(event.context[0]).toEqual({ key: "k\uFFFDey", value: "a\uFFFDb" });
    expect(event.context[1]).toEqual({ key: "long", value: "v".repeat(EXPOSURE_DETAIL_LIMITS.contextText) });
    expect(event.context.some((p) => p.key.startsWith("xxx"))).toBe(false);
    const text = event.context.reduce((n, p) => n + p.key.length + p.value.length, 0);
    expect(text).toBeLessThanOrEqual(EVENT_CONTEXT_TEXT);
    expect(text).toBeGreaterThan(EVENT_CONTEXT_TEXT - 30); // filled up to the budget, not stopped early
    expect(second.context).toHaveLength(EXPOSURE_DETAIL_LIMITS.contextPairs);
  });

  test("a full batch of the widest, most multi-byte detail callers can send encodes below the backend's message limit", () => {
    const recorder = new Recorder(EVENTS_PER_BATCH, T0);
    const wide = (i: number) => {
      const ctx: Record<string, string> = {};
      for (let k = 0; k < 100; k++) ctx[`屬性${i}-${k}`] = "値".repeat(700); // 3 UTF-8 bytes a unit
      return ctx;
    };
    for (let i = 0; i < EVENTS_PER_BATCH; i++)
      recorder.record("c1", "env", "flag", "on", true, false, "用".repeat(1_000), wide(i), T0);
    const [batch] = recorder.seal(() => crypto.randomUUID(), T0 + 1);
    expect(batch.events).toHaveLength(EVENTS_PER_BATCH);
    const method = loadFluxgateProto().service.PushEvaluationEvents;
    const request = { client_id: crypto.randomUUID(), client_secret: "s".repeat(64), ...toProtoBatch(batch) };
    const bytes = method.requestSerialize(request).byteLength;
    expect(bytes).toBeGreaterThan(EVENTS_PER_BATCH * EVENT_CONTEXT_TEXT * 3 * 0.9); // the widest it gets
    expect(bytes).toBeLessThan(MAX_RECEIVE_BYTES);
  });
});
