import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PROD, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const WEB_ID = "00000000-0000-4000-8000-0000000000c1";
const WEB_SECRET = "fgs_webc000000000000000000000000000000000000";
const APP = "https://app.example";

let edge: TestEdge;
beforeAll(async () => {
  // The edge's own client is a web client too, so credential-less browser calls are possible.
  const own = backendClient(OWN_ID, "team-a", OWN_SECRET, { clientType: "Web", webOrigins: [APP] });
  const web = backendClient(WEB_ID, "team-a", WEB_SECRET, { clientType: "Web", webOrigins: ["https://other.example"] });
  edge = await startTestEdge(snapshotFile([own, web], [teamSnapshot()]));
});
afterAll(() => edge.close());

const preflight = (path: string, origin: string, headers = "content-type") =>
  fetch(edge.url + path, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers },
  });

describe("CORS", () => {
  test("a preflight from an allowed origin is answered 204 with the allow headers", async () => {
    for (const path of ["/evaluate", "/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/static-on"]) {
      const response = await preflight(path, APP);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(APP);
      expect(response.headers.get("access-control-allow-methods")).toContain("POST");
      expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
      expect(response.headers.get("vary")).toContain("Origin");
    }
  });

  test("a credential-less preflight from an origin the edge's client does not allow gets 403 JSON", async () => {
    const response = await preflight("/evaluate", "https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect((await response.json()).error_code).toBe("ORIGIN_NOT_ALLOWED");
  });

  test("a preflight asking to send credentials leaves the origin check to the real request", async () => {
    const response = await preflight("/evaluate", "https://other.example", "content-type, authorization");
    expect(response.status).toBe(204);
    const real = await edge.post(
      "/evaluate",
      { feature_key: "static-on", environment_id: PROD.id, context: [] },
      { origin: "https://evil.example", authorization: `Bearer ${WEB_SECRET}` },
    );
    expect(real.status).toBe(403);
    expect(real.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a request from an allowed origin carries Access-Control-Allow-Origin and exposes ETag", async () => {
    const response = await edge.post(
      "/ofrep/v1/evaluate/flags",
      { context: { environment_id: PROD.id } },
      { origin: "https://other.example", authorization: `Bearer ${WEB_SECRET}` },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://other.example");
    expect(response.headers.get("access-control-expose-headers")).toContain("ETag");
    expect(response.headers.get("vary")).toBe("Origin");
  });

  test("each web client is held to its own origins", async () => {
    const body = { feature_key: "static-on", environment_id: PROD.id, context: [] };
    expect((await edge.post("/evaluate", body, { origin: APP })).status).toBe(200);
    expect((await edge.post("/evaluate", body, { origin: APP, "x-api-key": WEB_SECRET })).status).toBe(403);
    const missing = await edge.post("/evaluate", body);
    expect(missing.status).toBe(403);
    expect((await missing.json()).message).toContain("Origin");
  });

  test("a preflight for a method other than POST is refused", async () => {
    const response = await fetch(`${edge.url}/evaluate`, {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "DELETE" },
    });
    expect(response.status).toBe(405);
  });
});
