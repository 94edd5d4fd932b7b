import { describe, expect, test } from "bun:test";
import { liveState } from "../src/models/api.ts";
import { features } from "../src/models/features.ts";
import { startLiveUpdates } from "../src/models/live.ts";
import { me, status } from "../src/models/session.ts";

const TEAM = "7d9f0c36-5a0e-4b8e-9c55-3f2c3c1f0a01";
const encoder = new TextEncoder();

/** A fake backend: JSON answers by operation name, and SSE streams the test writes into. */
function fakeBackend() {
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const calls: string[] = [];
  globalThis.fetch = (async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string };
    calls.push(body.operationName);
    if (new Headers(init?.headers).get("accept") === "text/event-stream") {
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => {
          streams.push(controller);
          controller.enqueue(encoder.encode(":\n\n"));
        },
      });
      init?.signal?.addEventListener("abort", () => stream.cancel().catch(() => {}));
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    }
    const data =
      body.operationName === "Teams"
        ? { teams: [{ id: TEAM, name: "Checkout", description: "" }] }
        : { features: { items: [] } };
    return Response.json({ data });
  }) as typeof fetch;
  const send = (payload: unknown) =>
    streams.at(-1)?.enqueue(encoder.encode(`event: next\ndata: ${JSON.stringify({ data: payload })}\n\n`));
  return { calls, streams, send };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe("live updates", () => {
  test("one subscription per team while signed in; another admin's change reloads the feature list", async () => {
    const backend = fakeBackend();
    me.value = {
      id: "u1",
      username: "ada",
      firstName: "Ada",
      lastName: "Admin",
      email: "ada@example.com",
      isAdmin: true,
      isTemporaryPassword: false,
      memberships: [],
    };
    status.value = "signed-in";
    const stop = startLiveUpdates();
    await features.load(TEAM);
    await tick(50);
    expect(backend.calls.filter((c) => c === "FeatureChanged")).toHaveLength(1);
    expect(liveState.value).toBe("live");

    const before = backend.calls.filter((c) => c === "Features").length;
    backend.send({
      featureChanged: { version: 7, teamId: TEAM, kind: "UPSERT", entity: "feature", entityId: "f1", key: "checkout" },
    });
    await tick(300);
    expect(backend.calls.filter((c) => c === "Features").length).toBe(before + 1);
    // the stream stays the one it was: a change does not resubscribe
    expect(backend.calls.filter((c) => c === "FeatureChanged")).toHaveLength(1);

    status.value = "signed-out";
    await tick();
    expect(liveState.value).toBe("idle");
    stop();
  });
});
