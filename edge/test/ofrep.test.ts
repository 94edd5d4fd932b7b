import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileStore, type EvaluationResult } from "@fluxgate/engine";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature } from "@openfeature/server-sdk";
import { OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { PROD, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const snapshot = teamSnapshot();
const store = compileStore(snapshot);
const WEB_SECRET = "fgs_web0000000000000000000000000000000000000";
const ORIGIN = "https://app.example";
const web = backendClient("00000000-0000-4000-8000-0000000000a1", "team-a", WEB_SECRET, {
  clientType: "Web",
  webOrigins: [ORIGIN],
  environmentId: PROD.id,
});
const flags = snapshot.flags.filter((f) => !f.sticky); // sticky answers depend on history (sticky.test.ts)
const contexts: { targetingKey: string; country: string }[] = ["u-1", "u-2", "alice", "bob", "carol", "zed"].flatMap(
  (targetingKey) => [
    { targetingKey, country: "US" },
    { targetingKey, country: "DE" },
  ],
);

/** What OFREP must say for an engine result (ofrep.md, Mapping FluxGate results). */
function ofrepOf(result: EvaluationResult): Record<string, unknown> {
  const prerequisite = result.reason === "PREREQUISITE_FAILED";
  return {
    value: result.value,
    variant: result.variant,
    reason: prerequisite ? "DISABLED" : result.reason,
    flagMetadata: prerequisite ? { "fluxgate.reason": "PREREQUISITE_FAILED" } : {},
  };
}

function defaultFor(valueType: string): boolean | string {
  return valueType === "boolean" ? false : "";
}

let edge: TestEdge;
beforeAll(async () => {
  edge = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET), web], [snapshot]));
});
afterAll(() => edge.close());

describe("OFREP through @openfeature/server-sdk + @openfeature/ofrep-provider", () => {
  test("resolves every flag and context as the engine does, with OFREP reasons", async () => {
    const provider = new OFREPProvider({ baseUrl: edge.url, headers: [["Authorization", `Bearer ${OWN_SECRET}`]] });
    await OpenFeature.setProviderAndWait("edge-server", provider);
    const client = OpenFeature.getClient("edge-server");
    for (const flag of flags) {
      for (const ctx of contexts) {
        const details =
          flag.valueType === "boolean"
            ? await client.getBooleanDetails(flag.key, false, { ...ctx, environment_id: PROD.name })
            : await client.getStringDetails(flag.key, "", { ...ctx, environment_id: PROD.name });
        const expected = ofrepOf(store.evaluate(flag.key, PROD.id, ctx));
        expect(details.errorCode).toBeUndefined();
        const actual: Record<string, unknown> = {
          value: details.value,
          variant: details.variant,
          reason: details.reason,
          flagMetadata: details.flagMetadata,
        };
        expect(actual).toEqual(expected);
      }
    }
  });

  test("reports an unknown flag as FLAG_NOT_FOUND and serves the code default", async () => {
    const client = OpenFeature.getClient("edge-server");
    const details = await client.getBooleanDetails("no-such-flag", true, {
      targetingKey: "u",
      environment_id: PROD.id,
    });
    expect(details).toMatchObject({ value: true, errorCode: "FLAG_NOT_FOUND", reason: "ERROR" });
  });

  test("reports a missing environment as INVALID_CONTEXT for an unbound client", async () => {
    const client = OpenFeature.getClient("edge-server");
    const details = await client.getBooleanDetails("static-on", false, { targetingKey: "u" });
    expect(details).toMatchObject({ value: false, errorCode: "INVALID_CONTEXT" });
    expect(details.errorMessage).toContain("environment");
  });

  test("reports a type mismatch when a string flag is read as a boolean", async () => {
    const client = OpenFeature.getClient("edge-server");
    const details = await client.getBooleanDetails("banner-color", false, {
      targetingKey: "u",
      environment_id: PROD.id,
    });
    expect(details).toMatchObject({ value: false, errorCode: "TYPE_MISMATCH" });
  });
});

describe("OFREP through @openfeature/web-sdk + @openfeature/ofrep-web-provider", () => {
  test("a web client bound to production resolves every flag from one bulk call as the engine does", async () => {
    for (const ctx of contexts.slice(0, 4)) {
      const domain = `edge-web-${ctx.targetingKey}-${ctx.country}`;
      const provider = new OFREPWebProvider({
        baseUrl: edge.url,
        headers: [
          ["Authorization", `Bearer ${WEB_SECRET}`],
          ["Origin", ORIGIN],
        ],
        cacheMode: "disabled",
        changeDetection: "none",
      });
      await WebOpenFeature.setContext(domain, ctx);
      await WebOpenFeature.setProviderAndWait(domain, provider);
      const client = WebOpenFeature.getClient(domain);
      for (const flag of flags) {
        const details =
          flag.valueType === "boolean"
            ? client.getBooleanDetails(flag.key, defaultFor(flag.valueType) as boolean)
            : client.getStringDetails(flag.key, defaultFor(flag.valueType) as string);
        const expected = ofrepOf(store.evaluate(flag.key, PROD.id, ctx));
        expect(details.errorCode).toBeUndefined();
        const actual: Record<string, unknown> = {
          value: details.value,
          variant: details.variant,
          reason: details.reason,
        };
        expect(actual).toEqual({
          value: expected.value,
          variant: expected.variant,
          reason: expected.reason,
        });
      }
    }
    await WebOpenFeature.clearProviders();
  });

  test("the web provider is refused with a fatal error from a disallowed origin", async () => {
    const provider = new OFREPWebProvider({
      baseUrl: edge.url,
      headers: [
        ["Authorization", `Bearer ${WEB_SECRET}`],
        ["Origin", "https://evil.example"],
      ],
      cacheMode: "disabled",
      changeDetection: "none",
    });
    await WebOpenFeature.setContext("edge-web-evil", { targetingKey: "u" });
    await expect(WebOpenFeature.setProviderAndWait("edge-web-evil", provider)).rejects.toBeDefined();
  });
});

describe("OFREP over HTTP", () => {
  const auth = { authorization: `Bearer ${OWN_SECRET}` };
  const context = { targetingKey: "u-1", country: "US", environment_id: PROD.id };

  test("bulk carries an ETag, and If-None-Match with it gets 304 with no body", async () => {
    const first = await edge.post("/ofrep/v1/evaluate/flags", { context }, auth);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"7-/);
    const body = await first.json();
    expect(body.flags.map((f: { key: string }) => f.key)).toEqual(store.keys());
    const again = await edge.post("/ofrep/v1/evaluate/flags", { context }, { ...auth, "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
  });

  test("the ETag ignores key order but changes with the context and with the client", async () => {
    const etagOf = async (ctx: object, headers: Record<string, string>) =>
      (await edge.post("/ofrep/v1/evaluate/flags", { context: ctx }, headers)).headers.get("etag");
    const base = await etagOf(context, auth);
    expect(await etagOf({ environment_id: PROD.id, country: "US", targetingKey: "u-1" }, auth)).toBe(base);
    expect(await etagOf({ ...context, targetingKey: "u-2" }, auth)).not.toBe(base);
    const webEtag = await etagOf(context, { authorization: `Bearer ${WEB_SECRET}`, origin: ORIGIN });
    expect(webEtag).not.toBe(base);
  });

  const cases: [string, string, unknown, Record<string, string>, number, object][] = [
    ["malformed JSON", "/flags/static-on", "{oops", auth, 400, { key: "static-on", errorCode: "PARSE_ERROR" }],
    [
      "a context that is not an object",
      "/flags/static-on",
      { context: [1] },
      auth,
      400,
      { key: "static-on", errorCode: "INVALID_CONTEXT" },
    ],
    [
      "no environment for an unbound client",
      "/flags/static-on",
      { context: {} },
      auth,
      400,
      { key: "static-on", errorCode: "INVALID_CONTEXT" },
    ],
    [
      "an unknown environment",
      "/flags/static-on",
      { context: { environment_id: "mars" } },
      auth,
      400,
      { key: "static-on", errorCode: "INVALID_CONTEXT" },
    ],
    ["an unknown flag", "/flags/nope", { context }, auth, 404, { key: "nope", errorCode: "FLAG_NOT_FOUND" }],
    ["bulk without environment", "", { context: {} }, auth, 400, { errorCode: "INVALID_CONTEXT" }],
    [
      "a non-bearer Authorization",
      "/flags/static-on",
      { context },
      { authorization: "Token x" },
      401,
      { errorCode: "UNAUTHENTICATED" },
    ],
    [
      "another environment than the client's binding",
      "/flags/static-on",
      { context: { environment_id: "development" } },
      { authorization: `Bearer ${WEB_SECRET}`, origin: ORIGIN },
      403,
      { errorCode: "ENVIRONMENT_FORBIDDEN" },
    ],
    [
      "a web client without Origin",
      "/flags/static-on",
      { context },
      { authorization: `Bearer ${WEB_SECRET}` },
      403,
      { errorCode: "ORIGIN_NOT_ALLOWED" },
    ],
    [
      "a 1 MB body",
      "/flags/static-on",
      { context, pad: "x".repeat(1_000_000) },
      auth,
      413,
      { errorCode: "PAYLOAD_TOO_LARGE" },
    ],
  ];
  for (const [what, path, body, headers, status, shape] of cases) {
    test(`answers ${what} with ${status} in OFREP's error shape`, async () => {
      const response = await edge.post(`/ofrep/v1/evaluate${path ? "" : "/flags"}${path}`, body, headers);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      const json = await response.json();
      expect(json).toMatchObject(shape);
      expect(typeof json.errorDetails).toBe("string");
    });
  }

  test("a prerequisite failure is DISABLED with metadata saying why", async () => {
    const response = await edge.post("/ofrep/v1/evaluate/flags/needs-off", { context }, auth);
    expect(await response.json()).toEqual({
      key: "needs-off",
      value: false,
      reason: "DISABLED",
      variant: "off",
      metadata: { "fluxgate.reason": "PREREQUISITE_FAILED" },
    });
  });
});

describe("OFREP with EDGE_ENVIRONMENT", () => {
  test("an unbound client without environment_id is served the edge's default environment", async () => {
    const other = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [snapshot]), {
      EDGE_ENVIRONMENT: PROD.name,
    });
    try {
      const response = await other.post("/ofrep/v1/evaluate/flags/static-on", { context: { targetingKey: "u" } });
      expect(await response.json()).toMatchObject({ key: "static-on", value: true, reason: "STATIC" });
    } finally {
      await other.close();
    }
  });
});
