/**
 * The edge against the real backend delivery server (gRPC over a test database): changes flow in, analytics and
 * sticky assignments flow out, and outages on either side are survived. The edge runs as its own process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  clientWebOrigins,
  type Db,
  evaluationBatches,
  evaluationEvents,
  evaluationRollups,
  featureStages,
  features,
  recordConfigChange,
  stageRules,
  userFlagAssignments,
} from "@fluxgate/drizzle";
import { compileStore, type Snapshot } from "@fluxgate/engine";
import { and, count, eq, inArray, sum } from "drizzle-orm";
import {
  type ClientFixture,
  createClient,
  createFlag,
  createTeam,
  setKilled,
  type TeamFixture,
} from "../../backend/test/delivery/fixtures.ts";
import {
  type EdgeProcess,
  eventually,
  removeDir,
  spawnEdge,
  startTestBackend,
  type TestBackend,
} from "./support/system.ts";

let backend: TestBackend;
let db: Db;
let team: TeamFixture;
let client: ClientFixture;
let edge: EdgeProcess;
const flagIds = new Map<string, string>();
const dirs: string[] = [];

const usCountry = (rollout: number) => ({
  groups: [
    {
      operator: "AND" as const,
      conditions: [{ contextKey: "country", operator: "in" as const, values: ["US"] }],
    },
  ],
  rollout,
});

function edgeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    EDGE_BACKEND_GRPC: backend.url,
    EDGE_CLIENT_ID: client.id,
    EDGE_CLIENT_SECRET: client.secret,
    EDGE_EVALUATION_FLUSH_SECS: "0.5",
    EDGE_ASSIGNMENT_FLUSH_SECS: "0.5",
    EDGE_CREDENTIAL_WAIT_MS: "3000",
    ...extra,
  };
}

async function start(extra: Record<string, string> = {}, dir?: string): Promise<EdgeProcess> {
  const spawned = await spawnEdge(edgeEnv(extra), dir);
  if (!dir) dirs.push(spawned.dir);
  return spawned;
}

async function ask(target: EdgeProcess, key: string, context: Record<string, string> = {}, extra: object = {}) {
  const response = await target.post("/evaluate", {
    feature_key: key,
    environment_id: "prod",
    context: Object.entries(context).map(([k, value]) => ({ key: k, value })),
    ...extra,
  });
  return { status: response.status, body: await response.json() };
}

async function storedEvents(key: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(evaluationEvents)
    .where(and(eq(evaluationEvents.teamId, team.teamId), eq(evaluationEvents.featureKey, key)));
  return Number(row.n);
}

async function rolledUp(key: string): Promise<number> {
  const [row] = await db
    .select({ total: sum(evaluationRollups.evaluationCount) })
    .from(evaluationRollups)
    .where(and(eq(evaluationRollups.teamId, team.teamId), eq(evaluationRollups.featureKey, key)));
  return Number(row.total ?? 0);
}

async function batchCount(): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(evaluationBatches)
    .where(eq(evaluationBatches.clientId, client.id));
  return Number(row.n);
}

async function setRollout(featureId: string, rollout: number): Promise<void> {
  await db.transaction(async (tx) => {
    const stages = tx
      .select({ id: featureStages.id })
      .from(featureStages)
      .where(eq(featureStages.featureId, featureId));
    await tx
      .update(stageRules)
      .set({ rollout: String(rollout) })
      .where(inArray(stageRules.stageId, stages));
    const [flag] = await tx.select().from(features).where(eq(features.id, featureId));
    await recordConfigChange(tx, { teamId: flag.teamId, entity: "feature", entityId: featureId, key: flag.key });
  });
}

async function addFlag(key: string, rules: object[] = [], extra: object = {}): Promise<void> {
  const { id } = await createFlag(db, team.teamId, key, {
    stages: [{ environmentId: team.prod, enabled: true, rules: rules as never }],
    ...extra,
  });
  flagIds.set(key, id);
}

beforeAll(async () => {
  backend = await startTestBackend();
  db = backend.database.db;
  team = await createTeam(db);
  client = await createClient(db, team.teamId);
  await addFlag("checkout");
  await addFlag("counted");
  await addFlag("outage");
  await addFlag("final");
  await addFlag("sticky-us", [usCountry(50)]);
  edge = await start();
  await eventually(async () => (await edge.health()).status === "ready", "the edge to be ready");
}, 60_000);

afterAll(async () => {
  await edge?.kill();
  await backend.close();
  for (const dir of dirs) removeDir(dir);
}, 30_000);

describe("edge with the backend", () => {
  test("serves its client's team from the stream and says ready and connected", async () => {
    const health = await edge.health();
    expect(health).toMatchObject({ status: "ready", connected: true, flags: 5, staleness_seconds: 0 });
    expect(await ask(edge, "checkout")).toMatchObject({ status: 200, body: { enabled: true, reason: "STATIC" } });
  }, 30_000);

  test("writes its snapshot file with the team at the served version and its client under the real team", async () => {
    const version = (await edge.health()).version;
    const file = await eventually(async () => {
      const content = await Bun.file(edge.snapshotPath).json();
      return content.teams?.[0]?.version === version ? content : undefined;
    }, "the snapshot file at the served version");
    expect(file.teams.map((t: { teamId: string }) => t.teamId)).toEqual([team.teamId]);
    expect(file.clients).toContainEqual(expect.objectContaining({ id: client.id, teamId: team.teamId }));
    expect(JSON.stringify(file)).not.toContain(client.secret);
  }, 30_000);

  test("a flag change at the backend is reflected at the edge", async () => {
    await setKilled(db, flagIds.get("checkout")!, true);
    await eventually(async () => (await ask(edge, "checkout")).body.reason === "DISABLED", "the kill to arrive");
    await setKilled(db, flagIds.get("checkout")!, false);
    await eventually(async () => (await ask(edge, "checkout")).body.enabled === true, "the revival to arrive");
    await addFlag("fresh");
    await eventually(async () => (await ask(edge, "fresh")).status === 200, "a new flag to arrive");
  }, 30_000);

  test("evaluations reach the backend once, in a batch with an id, as events and exact rollups", async () => {
    for (let i = 0; i < 5; i++) await ask(edge, "counted", { userId: `u-${i}` });
    await eventually(async () => (await storedEvents("counted")) === 5, "5 events stored");
    await Bun.sleep(1_500); // several more flush periods: nothing is sent twice
    expect(await storedEvents("counted")).toBe(5);
    expect(await rolledUp("counted")).toBe(5);
    const [batches] = await db.select({ n: count() }).from(evaluationBatches);
    expect(Number(batches.n)).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test("a user who got a sticky flag keeps it after the rollout is lowered, also after an edge restart", async () => {
    const snapshot = (await Bun.file(edge.snapshotPath).json()).teams[0] as Snapshot;
    const store = compileStore(snapshot);
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const admitted = users.filter(
      (u) => store.evaluate("sticky-us", snapshot.environments[1].id, { userId: u, country: "US" }).enabled,
    );
    const sticky = admitted.length > 0 ? admitted[0] : users[0];
    expect((await ask(edge, "sticky-us", { userId: sticky, country: "US" })).body.enabled).toBe(true);
    await eventually(async () => {
      const rows = await db
        .select()
        .from(userFlagAssignments)
        .where(eq(userFlagAssignments.featureId, flagIds.get("sticky-us")!));
      return rows.some((r) => r.userId === sticky && r.assigned);
    }, "the assignment to be stored");
    await setRollout(flagIds.get("sticky-us")!, 0);
    const fresh = users.find((u) => !admitted.includes(u)) ?? "someone-new";
    await eventually(
      async () => (await ask(edge, "sticky-us", { userId: fresh, country: "US" })).body.enabled === false,
      "0 %",
    );
    expect((await ask(edge, "sticky-us", { userId: sticky, country: "US" })).body.enabled).toBe(true);
    // A new edge (empty folder) learns the assignment from ListUserAssignments.
    const second = await start();
    try {
      await eventually(async () => (await second.health()).status === "ready", "the second edge to be ready");
      await eventually(
        async () => (await ask(second, "sticky-us", { userId: sticky, country: "US" })).body.enabled === true,
        "the warmed assignment",
      );
      expect((await ask(second, "sticky-us", { userId: fresh, country: "US" })).body.enabled).toBe(false);
    } finally {
      await second.kill();
    }
  }, 30_000);

  test("another client's credentials open a stream for that client and see only its team", async () => {
    const other = await createTeam(db);
    const otherClient = await createClient(db, other.teamId);
    await createFlag(db, other.teamId, "only-b", { stages: [{ environmentId: other.prod, enabled: true }] });
    const creds = { client_id: otherClient.id, client_secret: otherClient.secret };
    expect(await ask(edge, "only-b", {}, creds)).toMatchObject({ status: 200, body: { enabled: true } });
    expect((await ask(edge, "only-b")).status).toBe(404);
    expect((await ask(edge, "checkout", {}, creds)).status).toBe(404);
  }, 30_000);

  test("a stream opened for request credentials closes once idle and its analytics are delivered", async () => {
    const other = await createTeam(db);
    const otherClient = await createClient(db, other.teamId);
    await createFlag(db, other.teamId, "idle-b", { stages: [{ environmentId: other.prod, enabled: true }] });
    const idle = await start({ EDGE_CLIENT_IDLE_SECS: "0.5" });
    const streams = async () =>
      Number(/fluxgate_edge_streams (\d+)/.exec(await (await fetch(`${idle.url}/metrics`)).text())?.[1]);
    try {
      await eventually(async () => (await idle.health()).status === "ready", "ready");
      const creds = { client_id: otherClient.id, client_secret: otherClient.secret };
      expect((await ask(idle, "idle-b", {}, creds)).status).toBe(200);
      expect(await streams()).toBe(2);
      await eventually(async () => (await streams()) === 1, "the idle stream to close", 10_000);
      // Used again: the client is looked up afresh and served.
      expect((await ask(idle, "idle-b", {}, creds)).status).toBe(200);
    } finally {
      await idle.kill();
    }
  }, 30_000);

  test("a web client's origins are checked from cached client info and follow changes at the backend", async () => {
    const web = await createClient(db, team.teamId, { type: "Web", origins: ["https://a.example"] });
    const refreshing = await start({ EDGE_CLIENT_INFO_REFRESH_SECS: "0.3" });
    const creds = { client_id: web.id, client_secret: web.secret };
    const askFrom = async (origin: string) =>
      (
        await refreshing.post(
          "/evaluate",
          { feature_key: "checkout", environment_id: "prod", context: [], ...creds },
          { origin },
        )
      ).status;
    try {
      await eventually(async () => (await refreshing.health()).status === "ready", "ready");
      expect(await askFrom("https://a.example")).toBe(200);
      expect(await askFrom("https://b.example")).toBe(403);
      await db.transaction(async (tx) => {
        await tx.delete(clientWebOrigins).where(eq(clientWebOrigins.clientId, web.id));
        await tx.insert(clientWebOrigins).values({ clientId: web.id, origin: "https://b.example" });
        await recordConfigChange(tx, { teamId: team.teamId, entity: "client", entityId: web.id, key: "web" });
      });
      await eventually(async () => (await askFrom("https://b.example")) === 200, "the new origin", 10_000);
      expect(await askFrom("https://a.example")).toBe(403);
    } finally {
      await refreshing.kill();
    }
  }, 30_000);

  test("wrong credentials get 401 once the backend said so, and repeats are answered without asking again", async () => {
    const creds = { client_id: client.id, client_secret: "fgs_wrong000000000000000000000000000000000000" };
    const first = await ask(edge, "checkout", {}, creds);
    expect(first).toMatchObject({ status: 401, body: { enabled: false, error_code: "UNAUTHENTICATED" } });
    const started = performance.now();
    const again = await ask(edge, "checkout", {}, creds);
    expect(again.status).toBe(401);
    expect(performance.now() - started).toBeLessThan(100);
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toContain("fluxgate_edge_rejected_secrets 1");
  }, 30_000);

  test("with the backend down the edge keeps answering, says degraded, and delivers the outage's analytics once after", async () => {
    await Bun.sleep(1_200); // earlier evaluations delivered: the next batch holds only this test's
    const batchesBefore = await batchCount();
    await backend.stopDelivery();
    await eventually(async () => (await edge.health()).status === "degraded", "degraded health");
    expect(await edge.health()).toMatchObject({ connected: false });
    for (let i = 0; i < 3; i++) {
      expect(await ask(edge, "outage", { userId: `o-${i}` })).toMatchObject({ status: 200, body: { enabled: true } });
    }
    // flushes fail meanwhile and keep their batch
    const flushFailures = async () =>
      Number(
        /fluxgate_edge_analytics_flush_failures_total (\d+)/.exec(
          await (await fetch(`${edge.url}/metrics`)).text(),
        )?.[1],
      );
    await eventually(async () => (await flushFailures()) > 0, "a failed flush during the outage", 10_000);
    await backend.restartDelivery();
    await eventually(async () => (await edge.health()).status === "ready", "ready again", 20_000);
    await eventually(async () => (await storedEvents("outage")) === 3, "the outage's events", 20_000);
    await Bun.sleep(1_500);
    expect(await storedEvents("outage")).toBe(3);
    expect(await rolledUp("outage")).toBe(3);
    // One batch, retried under the same id until it got through.
    expect(await batchCount()).toBe(batchesBefore + 1);
  }, 40_000);

  test("an edge restarted while the backend is down serves from its disk snapshot", async () => {
    const version = (await edge.health()).version;
    await Bun.sleep(200); // the debounced snapshot write
    await backend.stopDelivery();
    expect(await edge.terminate()).toBe(0);
    edge = await start({}, edge.dir);
    const health = await edge.health();
    expect(health).toMatchObject({ status: "degraded", connected: false, version });
    expect(await ask(edge, "checkout")).toMatchObject({ status: 200, body: { enabled: true, version } });
    await backend.restartDelivery();
    await eventually(async () => (await edge.health()).status === "ready", "ready after the backend is back", 20_000);
  }, 30_000);

  test("SIGTERM flushes buffered analytics and exits 0 within 10 s", async () => {
    const slow = await start({ EDGE_EVALUATION_FLUSH_SECS: "300" });
    await eventually(async () => (await slow.health()).status === "ready", "ready");
    for (let i = 0; i < 4; i++) await ask(slow, "final", { userId: `f-${i}` });
    const started = Date.now();
    expect(await slow.terminate()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await storedEvents("final")).toBe(4);
  }, 30_000);
});
