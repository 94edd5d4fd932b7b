/**
 * Graceful stops with real processes: an edge holding buffered analytics delivers them to the backend on SIGTERM
 * (rows counted in the backend's database afterwards) and exits 0 within 10 s; a backend with an edge stream open
 * and a request in flight finishes that request, ends the stream and exits 0 within 10 s.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { evaluationEvents, openDatabase } from "@fluxgate/drizzle";
import { count, eq } from "drizzle-orm";
import { EVALUATE_BODY, evaluate, eventually, type Stack, startBackendProcess, startEdgeProcess } from "./support.ts";

let stack: Stack | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await stack?.backend.kill();
  stack?.dir.remove();
  stack = undefined;
});

describe("SIGTERM", () => {
  test("an edge delivers its buffered analytics to the backend, then exits 0 within 10 s", async () => {
    stack = await startBackendProcess();
    // flushes far in the future: only the stop can send them
    const { edge, url } = await startEdgeProcess(stack, {
      env: { EDGE_EVALUATION_FLUSH_SECS: "3600", EDGE_ASSIGNMENT_FLUSH_SECS: "3600" },
    });
    cleanups.push(() => edge.kill());
    const users = ["sig-1", "sig-2", "sig-3", "sig-4", "sig-5", "sig-6", "sig-7"];
    for (const user of users) {
      const answer = await evaluate(url, stack.demo.EDGE_CLIENT_SECRET, {
        ...EVALUATE_BODY,
        context: [{ key: "userId", value: user }],
      });
      expect(answer.status).toBe(200);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/fluxgate_edge_event_buffer_size (\d+)/.exec(metrics)?.[1])).toBe(users.length);

    const started = Date.now();
    expect(await edge.signal("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(edge.logs().map((l) => l.msg)).toContain("edge stopped");

    // the backend stops too (releasing its PGlite folder), then the rows are counted in its database
    expect(await stack.backend.signal("SIGTERM")).toBe(0);
    const handle = await openDatabase({ dataDir: stack.dataDir });
    try {
      const [row] = await handle.db
        .select({ n: count() })
        .from(evaluationEvents)
        .where(eq(evaluationEvents.featureKey, EVALUATE_BODY.feature_key));
      expect(Number(row.n)).toBe(users.length);
    } finally {
      await handle.close();
    }
  }, 120_000);

  test("a backend with an open edge stream and a request in flight finishes it and exits 0 within 10 s", async () => {
    stack = await startBackendProcess();
    const { edge, url } = await startEdgeProcess(stack);
    cleanups.push(() => edge.kill());
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ connected: true });

    // a request whose body is still arriving when SIGTERM comes
    const body = new TransformStream<Uint8Array, Uint8Array>();
    const writer = body.writable.getWriter();
    const encoder = new TextEncoder();
    const pending = fetch(`${stack.backendUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "in-flight-1" },
      body: body.readable,
      // @ts-expect-error Bun streams request bodies; `duplex` is not in every lib.dom version
      duplex: "half",
    });
    await writer.write(encoder.encode('{"query":"{ applicationStatus '));
    await Bun.sleep(300);
    const started = Date.now();
    stack.backend.child.kill("SIGTERM");
    await Bun.sleep(500);
    await writer.write(encoder.encode('{ adminConfigured } }"}'));
    await writer.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("in-flight-1");
    expect(await response.json()).toEqual({ data: { applicationStatus: { adminConfigured: false } } });

    expect(await stack.backend.child.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const messages = stack.backend.logs().map((l) => l.msg);
    expect(messages).toContain("stopping");
    expect(messages).toContain("backend stopped");
    // the edge saw its stream end and keeps serving from memory
    await eventually(
      async () => (await (await fetch(`${url}/health`)).json()).connected === false,
      "edge disconnected",
    );
    expect((await evaluate(url, stack.demo.EDGE_CLIENT_SECRET)).status).toBe(200);
  }, 120_000);
});
