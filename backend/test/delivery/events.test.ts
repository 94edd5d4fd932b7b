import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { evaluationEvents, evaluationRollups } from "@fluxgate/drizzle";
import * as grpc from "@grpc/grpc-js";
import { and, count, eq, sum } from "drizzle-orm";
import { type ClientFixture, createClient, createTeam, type TeamFixture } from "./fixtures.ts";
import { type Backend, Recorder, rawClient, startBackend, statusOf } from "./harness.ts";

let backend: Backend;
let team: TeamFixture;
let client: ClientFixture;
let edge: Recorder;

beforeAll(async () => {
  backend = await startBackend();
  team = await createTeam(backend.database.db);
  client = await createClient(backend.database.db, team.teamId);
  edge = new Recorder(backend.url, client);
}, 30_000);

afterAll(async () => {
  await edge.stop();
  await backend.stop();
}, 30_000);

const event = (key: string, i: number, at = Date.now()) => ({
  feature_key: key,
  environment_id: team.prod,
  evaluation_result: i % 2 === 0,
  evaluation_context: [{ key: "user", value: `u${i}` }],
  user_context: `u${i}`,
  evaluated_at_unix_ms: at,
  prior_assignment: i % 4 === 0,
  variant: i % 2 === 0 ? "on" : "off",
});

async function storedEvents(key: string): Promise<number> {
  const [row] = await backend.database.db
    .select({ n: count() })
    .from(evaluationEvents)
    .where(and(eq(evaluationEvents.teamId, team.teamId), eq(evaluationEvents.featureKey, key)));
  return Number(row.n);
}

async function rolledUp(key: string): Promise<{ total: number; cached: number }> {
  const [row] = await backend.database.db
    .select({ total: sum(evaluationRollups.evaluationCount), cached: sum(evaluationRollups.cachedCount) })
    .from(evaluationRollups)
    .where(and(eq(evaluationRollups.teamId, team.teamId), eq(evaluationRollups.featureKey, key)));
  return { total: Number(row.total ?? 0), cached: Number(row.cached ?? 0) };
}

describe("PushEvaluationEvents", () => {
  test("a batch retried after a lost reply is stored and rolled up once", async () => {
    const batchId = crypto.randomUUID();
    const events = Array.from({ length: 10 }, (_, i) => event("retried", i));
    const first = await edge.client.pushEvaluationEvents({ batchId, events });
    const again = await edge.client.pushEvaluationEvents({ batchId, events });
    expect(first).toMatchObject({ processed_count: 10, duplicate: false });
    expect(again).toMatchObject({ processed_count: 10, duplicate: true });
    expect(await storedEvents("retried")).toBe(10);
    expect(await rolledUp("retried")).toEqual({ total: 10, cached: 3 });
  });

  test("batches pushed at once (stored together) each count once, a repeated batch id among them too", async () => {
    const ids = Array.from({ length: 6 }, () => crypto.randomUUID());
    const sends = [...ids, ids[0], ids[3]].map((batchId, b) =>
      edge.client.pushEvaluationEvents({
        batchId,
        events: Array.from({ length: 50 }, (_, i) => event("together", i + (b % 6) * 50)),
      }),
    );
    const replies = await Promise.all(sends);
    expect(replies.map((r) => r.processed_count)).toEqual(Array(8).fill(50));
    // each repeated id: one of its two calls stored it, the other was told it was a duplicate
    for (const id of [ids[0], ids[3]]) {
      const mine = replies.filter((r) => r.message_id === id);
      expect(mine.map((r) => r.duplicate).sort()).toEqual([false, true]);
    }
    expect(replies.filter((r) => r.duplicate)).toHaveLength(2);
    expect(await storedEvents("together")).toBe(300);
    expect(await rolledUp("together")).toEqual({ total: 300, cached: 75 });
  });

  // PGlite's first large insert into the events table costs ~2 s of CPU (WASM warm-up), so on a loaded
  // machine this took 5-10 s with either storage code; the budget is for that, not for the statement
  test("a batch of 20,000 events is stored in one call", async () => {
    const at = Date.now();
    const events = Array.from({ length: 20_000 }, (_, i) => event("big", i, at));
    const res = await edge.client.pushEvaluationEvents({ batchId: crypto.randomUUID(), events });
    expect(res.processed_count).toBe(20_000);
    expect(await storedEvents("big")).toBe(20_000);
    expect((await rolledUp("big")).total).toBe(20_000);
  }, 30_000);

  test("text is stored exactly: quotes, backslashes, braces, commas, NULL, unicode; repeated context keys keep the last", async () => {
    const awkward = ['a"b', "c\\d", "{x,y}", "NULL", "", " spaced ", "é✓𝄞", 'back\\"slash'];
    const events = awkward.map((text, i) => ({
      ...event("awkward", i),
      variant: text,
      user_context: text,
      evaluation_context: [
        { key: text || "empty", value: text },
        { key: "dup", value: "first" },
        { key: "dup", value: `last-${text}` },
      ],
    }));
    const res = await edge.client.pushEvaluationEvents({ batchId: crypto.randomUUID(), events });
    expect(res.processed_count).toBe(awkward.length);
    const rows = await backend.database.db
      .select({
        variant: evaluationEvents.variant,
        user: evaluationEvents.userContext,
        context: evaluationEvents.evaluationContext,
      })
      .from(evaluationEvents)
      .where(and(eq(evaluationEvents.teamId, team.teamId), eq(evaluationEvents.featureKey, "awkward")));
    const byUser = new Map(rows.map((r) => [r.user ?? "", r]));
    for (const text of awkward) {
      const row = byUser.get(text);
      expect(row?.variant ?? "").toBe(text); // "" is stored as NULL, as before
      expect(row?.context).toEqual({ [text || "empty"]: text, dup: `last-${text}` });
    }
    const variants = await backend.database.db
      .select({ variant: evaluationRollups.variant, n: evaluationRollups.evaluationCount })
      .from(evaluationRollups)
      .where(and(eq(evaluationRollups.teamId, team.teamId), eq(evaluationRollups.featureKey, "awkward")));
    expect(variants.map((v) => v.variant).sort()).toEqual([...awkward].sort());
  });

  test("free-form detail is cut to its limits, never a reason to refuse the batch: NUL, long values, many pairs, long users", async () => {
    const pairs = Array.from({ length: 150 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const events = [
      { ...event("cut", 0), user_context: "u\u0000ser", evaluation_context: [{ key: "a\u0000", value: "b\u0000" }] },
      {
        ...event("cut", 1),
        user_context: "n".repeat(300),
        evaluation_context: [{ key: "long", value: "x".repeat(1_500) }],
      },
      { ...event("cut", 2), evaluation_context: pairs },
    ];
    const res = await edge.client.pushEvaluationEvents({ batchId: crypto.randomUUID(), events });
    expect(res.processed_count).toBe(3);
    const rows = await backend.database.db
      .select({ user: evaluationEvents.userContext, context: evaluationEvents.evaluationContext })
      .from(evaluationEvents)
      .where(and(eq(evaluationEvents.teamId, team.teamId), eq(evaluationEvents.featureKey, "cut")));
    const byUser = new Map(rows.map((r) => [r.user, r.context as Record<string, string>]));
    expect(byUser.get("u\uFFFDser")).toEqual({ "a\uFFFD": "b\uFFFD" });
    expect(byUser.get("n".repeat(255))).toEqual({ long: "x".repeat(1_000) });
    expect(Object.keys(byUser.get("u2") ?? {})).toEqual(pairs.slice(0, 100).map((p) => p.key));
    expect(await rolledUp("cut")).toEqual({ total: 3, cached: 1 });
  });

  test("counters make the rollups when present; events are then detail only", async () => {
    const minute = Date.now();
    const res = await edge.client.pushEvaluationEvents({
      batchId: crypto.randomUUID(),
      events: [event("counted", 0)],
      counters: [
        {
          feature_key: "counted",
          environment_id: team.prod,
          variant: "on",
          result: true,
          minute_unix_ms: minute,
          evaluation_count: 500,
          cached_count: 20,
        },
      ],
    });
    expect(res.processed_count).toBe(2);
    expect(await storedEvents("counted")).toBe(1);
    expect(await rolledUp("counted")).toEqual({ total: 500, cached: 20 });
  });

  test("malformed batches are INVALID_ARGUMENT and store nothing", async () => {
    const rpc = rawClient(backend.url);
    const creds = { client_id: client.id, client_secret: client.secret };
    try {
      const cases = [
        { ...creds, batch_id: "nope", events: [event("bad", 0)] },
        { ...creds, batch_id: crypto.randomUUID(), events: [{ ...event("bad", 0), feature_key: "" }] },
        { ...creds, batch_id: crypto.randomUUID(), events: [{ ...event("bad", 0), feature_key: "x".repeat(101) }] },
        { ...creds, batch_id: crypto.randomUUID(), events: [{ ...event("bad", 0), client_id: crypto.randomUUID() }] },
        { ...creds, batch_id: crypto.randomUUID(), events: [{ ...event("bad", 0), feature_key: "b\u0000d" }] },
        { ...creds, batch_id: crypto.randomUUID(), events: [{ ...event("bad", 0), variant: "o\u0000n" }] },
        {
          ...creds,
          batch_id: crypto.randomUUID(),
          counters: [
            { feature_key: "bad", environment_id: "e", minute_unix_ms: 1, evaluation_count: 1, cached_count: 2 },
          ],
        },
      ];
      for (const request of cases)
        expect(await statusOf(rpc.call("PushEvaluationEvents", request))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await storedEvents("bad")).toBe(0);
      // more events than a batch may hold
      const tooMany = Array.from({ length: 50_001 }, () => ({ feature_key: "bad", environment_id: "e" }));
      const crowded = { ...creds, batch_id: crypto.randomUUID(), events: tooMany };
      expect(await statusOf(rpc.call("PushEvaluationEvents", crowded))).toBe(grpc.status.INVALID_ARGUMENT);
      // a message beyond the 8 MB receive limit is refused by the transport, before any handler
      const huge = Array.from({ length: 3 }, () => ({
        ...event("bad", 0),
        user_context: "u".repeat(255),
        evaluation_context: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: "v".repeat(1000) })),
      }));
      const tooBig = { ...creds, batch_id: crypto.randomUUID(), events: Array.from({ length: 30 }, () => huge).flat() };
      expect(await statusOf(rpc.call("PushEvaluationEvents", tooBig))).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      rpc.close();
    }
  });
});
