import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileStore, type EvaluationContext, evaluate } from "@fluxgate/engine";
import { createLogger } from "../src/log.ts";
import { eventually } from "./support/eventually.ts";
import { PROD, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const snapshot = teamSnapshot();
const store = compileStore(snapshot);
const users = ["u-1", "u-2", "u-3", "alice", "bob", "carol", "dave", "eve", "42", "ünïcödé"];
const countries = ["US", "CA", "DE", undefined];

function contexts(): EvaluationContext[] {
  return users.flatMap((userId) => countries.map((country) => (country ? { userId, country } : { userId })));
}

const toPairs = (ctx: EvaluationContext) => Object.entries(ctx).map(([key, value]) => ({ key, value }));

let edge: TestEdge;
beforeAll(async () => {
  edge = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [snapshot]));
});
afterAll(() => edge.close());

describe("POST /evaluate", () => {
  test("answers every flag and context exactly as the engine's reference and compiled store do", async () => {
    // Sticky flags keep a user's first "on" across contexts by design: sticky.test.ts covers them.
    for (const flag of snapshot.flags.filter((f) => !f.sticky)) {
      for (const ctx of contexts()) {
        const reference = evaluate(flag, PROD.name, ctx, {
          environments: snapshot.environments,
          flags: (k) => snapshot.flags.find((f) => f.key === k),
        });
        const compiled = store.evaluate(flag.key, PROD.id, ctx);
        expect(compiled).toEqual(reference);
        const response = await edge.post("/evaluate", {
          feature_key: flag.key,
          environment_id: PROD.name,
          context: toPairs(ctx),
        });
        expect(response.status).toBe(200);
        const body = await response.json();
        const expected: Record<string, unknown> = { enabled: reference.enabled, variant: reference.variant };
        if (reference.value !== null) expected.value = reference.value;
        expect(body).toEqual({ ...expected, reason: reference.reason, version: snapshot.version });
      }
    }
  });

  test("takes the environment by id as well as by name", async () => {
    const byId = await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.id, context: [] });
    const byName = await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.name, context: [] });
    expect(await byId.json()).toEqual(await byName.json());
  });

  test("uses the first occurrence of a context key, as the original edge did", async () => {
    const response = await edge.post("/evaluate", {
      feature_key: "everyone-in-us",
      environment_id: PROD.id,
      context: [
        { key: "country", value: "US" },
        { key: "country", value: "DE" },
      ],
    });
    expect((await response.json()).enabled).toBe(true);
  });

  test("accepts credentials in the body, as a bearer token, or as an API key", async () => {
    const request = { feature_key: "static-on", environment_id: PROD.id, context: [] };
    const inBody = await edge.post("/evaluate", { ...request, client_id: OWN_ID, client_secret: OWN_SECRET });
    const bearer = await edge.post("/evaluate", request, { authorization: `Bearer ${OWN_SECRET}` });
    const apiKey = await edge.post("/evaluate", request, { "x-api-key": OWN_SECRET });
    for (const response of [inBody, bearer, apiKey]) expect(response.status).toBe(200);
  });

  test("adds the engine's decision trace with ?explain=1", async () => {
    const response = await edge.post("/evaluate?explain=1", {
      feature_key: "new-checkout",
      environment_id: PROD.id,
      context: toPairs({ userId: "u-1", country: "US" }),
    });
    const body = await response.json();
    const trace = store.explain("new-checkout", PROD.id, { userId: "u-1", country: "US" });
    expect(body.explain.steps).toEqual(JSON.parse(JSON.stringify(trace.steps)));
    const rule = body.explain.steps.find((s: { step: string }) => s.step === "rule");
    expect(rule.admission).toMatchObject({ hashInput: "new-checkout:u-1", threshold: 50_000 });
    expect(typeof rule.admission.bucket).toBe("number");
  });
});

describe("POST /evaluate with bad input", () => {
  const ok = { feature_key: "static-on", environment_id: PROD.id, context: [] };
  const cases: [string, () => Promise<Response>, number, string, RegExp | undefined][] = [
    ["malformed JSON", () => edge.post("/evaluate", "{not json"), 400, "PARSE_ERROR", /JSON/],
    ["an empty body", () => edge.post("/evaluate", ""), 400, "INVALID_REQUEST", /JSON object/],
    ["a JSON array", () => edge.post("/evaluate", "[]"), 400, "INVALID_REQUEST", /JSON object/],
    [
      "no feature_key",
      () => edge.post("/evaluate", { ...ok, feature_key: undefined }),
      400,
      "INVALID_REQUEST",
      /feature_key/,
    ],
    [
      "a numeric feature_key",
      () => edge.post("/evaluate", { ...ok, feature_key: 7 }),
      400,
      "INVALID_REQUEST",
      /feature_key/,
    ],
    [
      "a numeric environment_id",
      () => edge.post("/evaluate", { ...ok, environment_id: 1 }),
      400,
      "INVALID_REQUEST",
      /environment_id/,
    ],
    ["a context object", () => edge.post("/evaluate", { ...ok, context: { a: 1 } }), 400, "INVALID_REQUEST", /context/],
    [
      "a context pair without key",
      () => edge.post("/evaluate", { ...ok, context: [{ value: "x" }] }),
      400,
      "INVALID_REQUEST",
      /context\[0\]\.key/,
    ],
    [
      "an object context value",
      () => edge.post("/evaluate", { ...ok, context: [{ key: "a", value: {} }] }),
      400,
      "INVALID_REQUEST",
      /context\[0\]\.value/,
    ],
    [
      "a numeric client_secret",
      () => edge.post("/evaluate", { ...ok, client_secret: 5 }),
      400,
      "INVALID_REQUEST",
      /client_secret/,
    ],
    [
      "an unknown environment",
      () => edge.post("/evaluate", { ...ok, environment_id: "nowhere" }),
      400,
      "ENVIRONMENT_NOT_FOUND",
      /nowhere/,
    ],
    [
      "a 1 MB body",
      () => edge.post("/evaluate", { ...ok, pad: "x".repeat(1_000_000) }),
      413,
      "PAYLOAD_TOO_LARGE",
      /bytes/,
    ],
    ["a 1 MB chunked body", () => postChunked("/evaluate", 1_000_000), 413, "PAYLOAD_TOO_LARGE", /bytes/],
    [
      "a client_id without its secret",
      () => edge.post("/evaluate", { ...ok, client_id: "someone-else" }),
      401,
      "UNAUTHENTICATED",
      /client_secret/,
    ],
    [
      "a secret of another client id",
      () => edge.post("/evaluate", { ...ok, client_id: "x", client_secret: OWN_SECRET }),
      401,
      "UNAUTHENTICATED",
      /client_id/,
    ],
    [
      "a non-bearer Authorization",
      () => edge.post("/evaluate", ok, { authorization: "Basic abc" }),
      401,
      "UNAUTHENTICATED",
      /Bearer/,
    ],
  ];

  for (const [what, send, status, code, message] of cases) {
    test(`answers ${what} with ${status} ${code} as JSON`, async () => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = await response.json();
      expect(body).toMatchObject({ enabled: false, error_code: code });
      if (message) expect(body.message).toMatch(message);
    });
  }

  test("answers an unknown flag with exactly 404 {enabled: false, error_code: FLAG_NOT_FOUND}", async () => {
    const response = await edge.post("/evaluate", { ...ok, feature_key: "no-such-flag" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ enabled: false, error_code: "FLAG_NOT_FOUND" });
  });

  test("answers other methods with 405 and unknown paths with 404, both JSON", async () => {
    const get = await fetch(`${edge.url}/evaluate`);
    expect(get.status).toBe(405);
    expect((await get.json()).error_code).toBe("METHOD_NOT_ALLOWED");
    const missing = await fetch(`${edge.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error_code).toBe("NOT_FOUND");
  });

  test("a body cut short by the caller closing the connection is the caller's 400, with no error logged", async () => {
    const lines: string[] = [];
    const own = await startTestEdge(
      snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [snapshot]),
      {},
      { log: createLogger("info", (line) => lines.push(line)) },
    );
    try {
      for (const framing of ["Content-Length: 500", "Transfer-Encoding: chunked"]) {
        const partial = framing.startsWith("Content") ? '{"feature_key":' : '10\r\n{"feature_key":\r\n';
        const socket = await Bun.connect({ hostname: "127.0.0.1", port: own.port, socket: { data() {} } });
        socket.write(`POST /evaluate HTTP/1.1\r\nHost: x\r\n${framing}\r\n\r\n${partial}`);
        await Bun.sleep(50);
        socket.end();
      }
      const metrics = async () => (await fetch(`${own.url}/metrics`)).text();
      const count = (text: string, status: number) =>
        Number(new RegExp(`requests_total\\{route="evaluate",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      await eventually(async () => count(await metrics(), 400) >= 2, "both cut requests answered", 2_000);
      const text = await metrics();
      expect([count(text, 400), count(text, 500)]).toEqual([2, 0]);
      expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    } finally {
      await own.close();
    }
  });

  function postChunked(path: string, size: number): Promise<Response> {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return fetch(edge.url + path, { method: "POST", body, duplex: "half" } as RequestInit);
  }
});
