import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Flag } from "@fluxgate/engine";
import { PROD, teamFlags, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const B_ID = "00000000-0000-4000-8000-0000000000b1";
const B_SECRET = "fgs_teamb000000000000000000000000000000000000";

/** Team B has its own `static-on` (killed there) and a flag team A does not have. */
function teamBFlags(): Flag[] {
  const a = teamFlags();
  const staticOn = { ...a.find((f) => f.key === "static-on")!, killed: true };
  const onlyB = { ...staticOn, key: "only-in-b", id: "id-only-in-b", killed: false };
  return [staticOn, onlyB];
}

let edge: TestEdge;
beforeAll(async () => {
  edge = await startTestEdge(
    snapshotFile(
      [backendClient(OWN_ID, "team-a", OWN_SECRET), backendClient(B_ID, "team-b", B_SECRET)],
      [teamSnapshot(7, "team-a"), teamSnapshot(9, "team-b", teamBFlags())],
    ),
  );
});
afterAll(() => edge.close());

const ask = (key: string, headers: Record<string, string> = {}) =>
  edge.post("/evaluate", { feature_key: key, environment_id: PROD.id, context: [] }, headers);

describe("tenancy", () => {
  test("a credential only sees its own team's flags", async () => {
    const bearerB = { authorization: `Bearer ${B_SECRET}` };
    expect((await ask("only-in-b", bearerB)).status).toBe(200);
    expect((await ask("only-in-b")).status).toBe(404);
    expect((await ask("new-checkout", bearerB)).status).toBe(404);
  });

  test("the same flag key answers from each team's own configuration and version", async () => {
    const a = await (await ask("static-on")).json();
    const b = await (await ask("static-on", { "x-api-key": B_SECRET })).json();
    expect(a).toMatchObject({ enabled: true, reason: "STATIC", version: 7 });
    expect(b).toMatchObject({ enabled: false, reason: "DISABLED", version: 9 });
  });

  test("OFREP bulk lists only the caller's team's flags", async () => {
    const response = await edge.post(
      "/ofrep/v1/evaluate/flags",
      { context: { environment_id: PROD.id } },
      { authorization: `Bearer ${B_SECRET}` },
    );
    const keys = (await response.json()).flags.map((f: { key: string }) => f.key);
    expect(keys).toEqual(["only-in-b", "static-on"]);
  });

  test("an unknown secret waits a bounded time for its stream, then gets 503 with Retry-After", async () => {
    const started = Date.now();
    const response = await ask("static-on", { authorization: "Bearer fgs_unknown00000000000000000000000000000000" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect((await response.json()).error_code).toBe("UNAVAILABLE");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // EDGE_CREDENTIAL_WAIT_MS=300 in the harness
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a flood of distinct unknown secrets is looked up at most EDGE_NEW_CREDENTIALS_PER_SEC at a time", async () => {
    const flood = await startTestEdge(undefined, { EDGE_NEW_CREDENTIALS_PER_SEC: "3" });
    try {
      const secrets = Array.from({ length: 20 }, (_, i) => `fgs_flood${String(i).padStart(36, "0")}`);
      const responses = await Promise.all(
        secrets.map((s) =>
          flood.post(
            "/evaluate",
            { feature_key: "x", environment_id: PROD.id, context: [] },
            { authorization: `Bearer ${s}` },
          ),
        ),
      );
      // 3 looked up (no backend here: each waits, then 503), the rest refused at once with 429 + Retry-After
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(17).fill(429), 503, 503, 503]);
      expect(responses.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("1");
      expect(flood.edge.links.count).toBeLessThanOrEqual(1 + 3); // the own link + the budget
    } finally {
      await flood.close();
    }
  });

  test("concurrent requests with one unknown secret share one stream", async () => {
    const secret = "fgs_unknown11111111111111111111111111111111";
    const before = edge.edge.links.count;
    await Promise.all(Array.from({ length: 5 }, () => ask("static-on", { authorization: `Bearer ${secret}` })));
    expect(edge.edge.links.count).toBe(before + 1);
  });
});
