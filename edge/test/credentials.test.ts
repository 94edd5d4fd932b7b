/**
 * Bare secrets (`Authorization: Bearer <secret>` / `X-API-Key: <secret>`, no client id) for clients this edge has
 * never seen, against the real delivery gRPC server over a test database: the backend finds the client by the
 * secret's hash, the edge caches the answer (positive and negative) and never logs the secret.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { evaluationBatches } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";
import {
  type ClientFixture,
  createClient,
  createFlag,
  createTeam,
  setClientEnabled,
  type TeamFixture,
} from "../../backend/test/delivery/fixtures.ts";
import { ClientDirectory } from "../src/auth/clients.ts";
import { createLogger } from "../src/log.ts";
import { syncUpstream } from "../src/upstream/sync-adapter.ts";
import type { Upstream } from "../src/upstream/types.ts";
import { startTestEdge, type TestEdge } from "./support/harness.ts";
import { eventually, startTestBackend, type TestBackend } from "./support/system.ts";

let backend: TestBackend;
let own: TeamFixture;
let other: TeamFixture;
let ownClient: ClientFixture;
let otherClient: ClientFixture;
let edge: TestEdge;
const logLines: string[] = [];
/** Backend links the edge opened, by the client id they were opened with ("" = a bare secret). */
const connects: string[] = [];
const clientInfoCalls = { n: 0 };

/** The real gRPC upstream, counting what the edge asks of it. */
function counting(upstream: Upstream): Upstream {
  return {
    connect(credentials, handlers, sinceVersion) {
      connects.push(credentials.clientId);
      const connection = upstream.connect(credentials, handlers, sinceVersion);
      return {
        ...connection,
        getClientInfo: () => {
          clientInfoCalls.n++;
          return connection.getClientInfo();
        },
      };
    },
  };
}

beforeAll(async () => {
  backend = await startTestBackend();
  const { db } = backend.database;
  own = await createTeam(db);
  other = await createTeam(db);
  ownClient = await createClient(db, own.teamId);
  otherClient = await createClient(db, other.teamId);
  await createFlag(db, own.teamId, "own-flag", { stages: [{ environmentId: own.prod, enabled: true }] });
  await createFlag(db, other.teamId, "other-flag", { stages: [{ environmentId: other.prod, enabled: true }] });
  await createFlag(db, other.teamId, "other-second", { stages: [{ environmentId: other.prod, enabled: true }] });
  edge = await startTestEdge(
    undefined,
    {
      EDGE_BACKEND_GRPC: backend.url,
      EDGE_CLIENT_ID: ownClient.id,
      EDGE_CLIENT_SECRET: ownClient.secret,
      EDGE_CREDENTIAL_WAIT_MS: "5000",
      EDGE_NEW_CREDENTIALS_PER_SEC: "5",
      EDGE_EVALUATION_FLUSH_SECS: "0.3",
      EDGE_SNAPSHOT_PATH: "off",
    },
    {
      upstream: counting(syncUpstream(backend.url)),
      log: createLogger("debug", (line) => logLines.push(line)),
    },
  );
  await eventually(() => edge.edge.health().status === "ready", "the edge to be ready");
}, 30_000);

afterAll(async () => {
  await edge?.close();
  await backend?.close();
}, 30_000);

const evaluate = (key: string, headers: Record<string, string>) =>
  edge.post("/evaluate", { feature_key: key, environment_id: "prod", context: [] }, headers);
const ofrep = (key: string, headers: Record<string, string>) =>
  edge.post(`/ofrep/v1/evaluate/flags/${key}`, { context: { environment_id: "prod" } }, headers);

describe("a bare secret for a client the edge has never seen", () => {
  test("Authorization: Bearer resolves it through the backend and serves that client's team only", async () => {
    const bearer = { authorization: `Bearer ${otherClient.secret}` };
    const response = await evaluate("other-flag", bearer);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ enabled: true, reason: "STATIC" });
    expect(connects.filter((id) => id === "")).toHaveLength(1);
    expect((await evaluate("own-flag", bearer)).status).toBe(404);
    expect((await evaluate("other-flag", {})).status).toBe(404); // the edge's own client: another team
    const bulk = await edge.post("/ofrep/v1/evaluate/flags", { context: { environment_id: "prod" } }, bearer);
    expect((await bulk.json()).flags.map((f: { key: string }) => f.key)).toEqual(["other-flag", "other-second"]);
  });

  test("X-API-Key works the same, for /evaluate and OFREP", async () => {
    const apiKey = { "x-api-key": otherClient.secret };
    expect((await evaluate("other-second", apiKey)).status).toBe(200);
    const single = await ofrep("other-second", apiKey);
    expect(single.status).toBe(200);
    expect(await single.json()).toMatchObject({ key: "other-second", value: true, variant: "on" });
  });

  test("once resolved, requests are answered from memory: no new link and no lookup per request", async () => {
    const fresh = await createClient(backend.database.db, other.teamId);
    const bearer = { authorization: `Bearer ${fresh.secret}` };
    expect((await evaluate("other-flag", bearer)).status).toBe(200);
    const linksBefore = connects.length;
    const infoBefore = clientInfoCalls.n;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? evaluate("other-flag", bearer) : ofrep("other-flag", bearer))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(connects.length).toBe(linksBefore);
    expect(clientInfoCalls.n).toBe(infoBefore);
  });

  test("a wrong secret gets 401 with a JSON error; repeats are answered locally (negative cache)", async () => {
    const wrong = "fgs_wrongbare00000000000000000000000000000000";
    const linksBefore = connects.length;
    const first = await evaluate("other-flag", { authorization: `Bearer ${wrong}` });
    expect(first.status).toBe(401);
    expect(first.headers.get("content-type")).toContain("application/json");
    expect(await first.json()).toMatchObject({ enabled: false, error_code: "UNAUTHENTICATED" });
    expect(connects.length).toBe(linksBefore + 1);
    const again = await Promise.all([
      evaluate("other-flag", { authorization: `Bearer ${wrong}` }),
      ofrep("other-flag", { "x-api-key": wrong }),
      edge.post("/ofrep/v1/evaluate/flags", { context: {} }, { "x-api-key": wrong }),
    ]);
    expect(again.map((r) => r.status)).toEqual([401, 401, 401]);
    const ofrepBody = await again[1].json();
    expect(ofrepBody).toMatchObject({ errorCode: "UNAUTHENTICATED" });
    expect(typeof ofrepBody.errorDetails).toBe("string");
    expect(connects.length).toBe(linksBefore + 1);
  });

  test("its analytics reach the backend under the client the secret belongs to", async () => {
    const batches = () =>
      backend.database.db.select().from(evaluationBatches).where(eq(evaluationBatches.clientId, otherClient.id));
    await eventually(async () => (await batches()).length > 0, "a batch stored for the bare-secret client", 10_000);
  });

  test("a resolved client disabled at the backend is refused within moments (the backend ends its stream)", async () => {
    const later = await createClient(backend.database.db, other.teamId);
    const bearer = { authorization: `Bearer ${later.secret}` };
    expect((await evaluate("other-flag", bearer)).status).toBe(200);
    await setClientEnabled(backend.database.db, later.id, false);
    await eventually(async () => [401, 403].includes((await evaluate("other-flag", bearer)).status), "the refusal");
  });

  test("a right secret sent with a wrong client_id is 401 and stays good for its rightful callers", async () => {
    const fresh = await createClient(backend.database.db, other.teamId);
    const body = { feature_key: "other-flag", environment_id: "prod", context: [] };
    const wrongId = await edge.post("/evaluate", {
      ...body,
      client_id: crypto.randomUUID(),
      client_secret: fresh.secret,
    });
    expect(wrongId.status).toBe(401);
    expect(await wrongId.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
    expect((await evaluate("other-flag", { authorization: `Bearer ${fresh.secret}` })).status).toBe(200);
    const rightId = await edge.post("/evaluate", {
      ...body,
      client_id: fresh.id.toUpperCase(),
      client_secret: fresh.secret,
    });
    expect(rightId.status).toBe(200);
  });

  test("an oversized secret is 401 at once, without a lookup", async () => {
    const linksBefore = connects.length;
    const response = await evaluate("other-flag", { authorization: `Bearer fgs_${"x".repeat(5000)}` });
    expect(response.status).toBe(401);
    expect(connects.length).toBe(linksBefore);
  });

  test("a disabled client's secret gets 403 CLIENT_DISABLED", async () => {
    const disabled = await createClient(backend.database.db, other.teamId);
    await setClientEnabled(backend.database.db, disabled.id, false);
    const response = await evaluate("other-flag", { authorization: `Bearer ${disabled.secret}` });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error_code: "CLIENT_DISABLED" });
  });

  test("a flood of random secrets: every answer a 4xx JSON (never 5xx), the lookups and caches stay bounded", async () => {
    await Bun.sleep(1_100); // the lookup budget (EDGE_NEW_CREDENTIALS_PER_SEC=5) refills
    const linksBefore = connects.length;
    const openBefore = edge.edge.links.count;
    const secrets = Array.from({ length: 60 }, (_, i) => `fgs_random${crypto.randomUUID().replaceAll("-", "")}${i}`);
    const responses = await Promise.all(secrets.map((s) => evaluate("other-flag", { authorization: `Bearer ${s}` })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    const limited = responses.find((r) => r.status === 429);
    expect(limited?.headers.get("retry-after")).toBe("1");
    expect(await limited?.json()).toMatchObject({ enabled: false, error_code: "RATE_LIMITED" });
    expect(connects.length - linksBefore).toBeLessThanOrEqual(5);
    expect(edge.edge.clients.rejectedCount).toBeLessThanOrEqual(10);
    await eventually(() => edge.edge.links.count === openBefore, "the rejected links to close");
    // Valid clients are still served meanwhile.
    expect((await evaluate("other-flag", { authorization: `Bearer ${otherClient.secret}` })).status).toBe(200);
  });

  test("no secret ever reaches the edge's log lines", () => {
    const text = logLines.join("");
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [ownClient.secret, otherClient.secret, "fgs_wrongbare"]) expect(text).not.toContain(secret);
    expect(text).not.toContain("fgs_random");
  });
});

describe("the negative cache", () => {
  test("stays bounded however many distinct secrets are rejected", () => {
    const directory = new ClientDirectory(60_000);
    for (let i = 0; i < 25_000; i++) directory.reject(`fgs_rejected${i}`);
    expect(directory.rejectedCount).toBeLessThanOrEqual(10_000);
    expect(directory.isRejected("fgs_rejected24999")).toBe(true);
  });

  test("forgets a rejection after EDGE_NEGATIVE_CACHE_SECS", () => {
    const directory = new ClientDirectory(1_000);
    directory.reject("fgs_short", 0);
    expect(directory.isRejected("fgs_short", 999)).toBe(true);
    expect(directory.isRejected("fgs_short", 1_001)).toBe(false);
    expect(directory.rejectedCount).toBe(0);
  });
});
