/**
 * Request ids at the edge: every answer carries `X-Request-Id` (the caller's when sane, else a new one), and the
 * edge's log lines for that request name it. Above debug level a successful evaluation the caller sent no id for is
 * answered without one (the hot path saves the header); its problems still get a new one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/log.ts";
import { PROD, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const WEB_ID = "00000000-0000-4000-8000-0000000000c2";
const WEB_SECRET = "fgs_webrid00000000000000000000000000000000000";
const APP = "https://app.example";

let edge: TestEdge;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const web = backendClient(WEB_ID, "team-a", WEB_SECRET, { clientType: "Web", webOrigins: [APP] });
  edge = await startTestEdge(
    snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET), web], [teamSnapshot()]),
    {},
    { log: createLogger("debug", (line) => lines.push(JSON.parse(line))) },
  );
});
afterAll(() => edge.close());

const evaluateBody = (key: string) => ({ feature_key: key, environment_id: PROD.id, context: [] });

/** One request per kind of answer: evaluation routes (200, 404, 4xx, 304) and the Hono ones. */
async function everyKindOfAnswer(headers: Record<string, string> = {}): Promise<Response[]> {
  const bulk = await edge.post("/ofrep/v1/evaluate/flags", { context: { environment_id: PROD.id } }, headers);
  const etag = bulk.headers.get("etag") ?? "";
  return [
    await edge.post("/evaluate", evaluateBody("static-on"), headers),
    await edge.post("/evaluate?explain=1", evaluateBody("static-on"), headers),
    await edge.post("/evaluate", evaluateBody("no-such-flag"), headers),
    await edge.post("/evaluate", "{not json", headers),
    await edge.post("/evaluate", evaluateBody("static-on"), { ...headers, authorization: "Basic x" }),
    await edge.post("/ofrep/v1/evaluate/flags/static-on", { context: { environment_id: PROD.id } }, headers),
    await edge.post("/ofrep/v1/evaluate/flags/no-such-flag", { context: { environment_id: PROD.id } }, headers),
    bulk,
    await edge.post(
      "/ofrep/v1/evaluate/flags",
      { context: { environment_id: PROD.id } },
      { ...headers, "if-none-match": etag },
    ),
    await fetch(`${edge.url}/health`, { headers }),
    await fetch(`${edge.url}/metrics`, { headers }),
    await fetch(`${edge.url}/nowhere`, { headers }),
    await fetch(`${edge.url}/evaluate`, { headers }),
    await fetch(`${edge.url}/evaluate`, { method: "OPTIONS", headers }),
  ];
}

describe("request ids", () => {
  test("every answer carries a new X-Request-Id when the request sent none, each different", async () => {
    const responses = await everyKindOfAnswer();
    expect(responses.map((r) => r.status)).toEqual([
      200, 200, 404, 400, 401, 200, 404, 200, 304, 200, 200, 404, 405, 204,
    ]);
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{6}-[0-9a-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("a sane incoming X-Request-Id is echoed on every kind of answer", async () => {
    const responses = await everyKindOfAnswer({ "x-request-id": "trace-abc_123.4:5" });
    for (const r of responses) expect(r.headers.get("x-request-id")).toBe("trace-abc_123.4:5");
  });

  test("an insane incoming X-Request-Id is replaced by a new one", async () => {
    for (const given of ["x".repeat(129), "has space", "<script>", "a/b", "ü"]) {
      const response = await edge.post("/evaluate", evaluateBody("static-on"), { "x-request-id": given });
      expect(response.status).toBe(200);
      const id = response.headers.get("x-request-id");
      expect(id).not.toBe(given);
      expect(id).toMatch(/^[0-9a-z]{6}-[0-9a-z]+$/);
    }
  });

  test("a web client's page can read it (exposed by CORS) and may send its own (allowed by the preflight)", async () => {
    const response = await edge.post("/evaluate", evaluateBody("static-on"), {
      origin: APP,
      authorization: `Bearer ${WEB_SECRET}`,
      "x-request-id": "from-the-page",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("from-the-page");
    expect(response.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
    const preflight = await fetch(`${edge.url}/evaluate`, {
      method: "OPTIONS",
      headers: {
        origin: APP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, x-request-id",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-request-id");
  });

  test("at debug level each request has a log line with its id, method, path (no query) and status", async () => {
    const id = `log-${Date.now()}`;
    await edge.post("/evaluate?explain=1", evaluateBody("static-on"), { "x-request-id": `${id}-e` });
    await edge.post(
      "/ofrep/v1/evaluate/flags/nope",
      { context: { environment_id: PROD.id } },
      { "x-request-id": `${id}-o` },
    );
    await edge.post("/evaluate", "{", { "x-request-id": `${id}-p` });
    await fetch(`${edge.url}/health`, { headers: { "x-request-id": `${id}-h` } });
    const line = (suffix: string) => lines.find((l) => l.request_id === `${id}-${suffix}`);
    expect(line("e")).toMatchObject({ level: "debug", msg: "request", method: "POST", path: "/evaluate", status: 200 });
    expect(line("o")).toMatchObject({ msg: "request", path: "/ofrep/v1/evaluate/flags/nope", status: 404 });
    expect(line("p")).toMatchObject({ msg: "request", status: 400, error_code: "PARSE_ERROR" });
    expect(line("h")).toMatchObject({ msg: "request", method: "GET", path: "/health", status: 200 });
    expect(typeof line("e")?.duration_ms).toBe("number");
  });

  test("above debug level no per-request line is written", async () => {
    const quiet: string[] = [];
    const info = await startTestEdge(
      snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [teamSnapshot()]),
      {},
      {
        log: createLogger("info", (line) => quiet.push(line)),
      },
    );
    try {
      const before = quiet.length;
      const response = await info.post("/evaluate", evaluateBody("static-on"), { "x-request-id": "quiet-1" });
      expect(response.headers.get("x-request-id")).toBe("quiet-1");
      expect(quiet.slice(before).join("")).not.toContain("quiet-1");

      // no id sent: successful evaluations carry none, problems and the other routes a new one
      const ok = [
        await info.post("/evaluate", evaluateBody("static-on")),
        await info.post("/ofrep/v1/evaluate/flags/static-on", { context: { environment_id: PROD.id } }),
      ];
      for (const r of ok) {
        expect(r.status).toBe(200);
        expect(r.headers.get("content-type")).toContain("application/json");
        expect(r.headers.get("x-request-id")).toBeNull();
      }
      const problems = [
        await info.post("/evaluate", evaluateBody("no-such-flag")),
        await info.post("/evaluate", "{not json"),
        await info.post("/ofrep/v1/evaluate/flags/nope", { context: { environment_id: PROD.id } }),
        await fetch(`${info.url}/health`),
      ];
      expect(problems.map((r) => r.status)).toEqual([404, 400, 404, 200]);
      for (const r of problems) expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-z]{6}-[0-9a-z]+$/);
    } finally {
      await info.close();
    }
  });
});
