/**
 * A kill purges sticky assignments everywhere, against the real delivery gRPC server over a test database: the
 * backend deletes the stored rows in the kill's transaction (the kill-switch service), the edge drops its entries
 * when the change reaches it, and after a release nobody is answered from an old assignment, not even by an edge
 * that warms from ListUserAssignments.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Db, features, userFlagAssignments } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";
import type { AppDeps } from "../../backend/src/deps.ts";
import { applyDueKills } from "../../backend/src/killswitch/service.ts";
import {
  type ClientFixture,
  createClient,
  createFlag,
  createTeam,
  setKilled,
  type TeamFixture,
} from "../../backend/test/delivery/fixtures.ts";
import { startTestEdge, type TestEdge } from "./support/harness.ts";
import { eventually, startTestBackend, type TestBackend } from "./support/system.ts";

let backend: TestBackend;
let db: Db;
let team: TeamFixture;
let client: ClientFixture;
let flagId: string;
const edges: TestEdge[] = [];
const USERS = ["u-1", "u-2", "u-3"];

const inUs = {
  groups: [
    { operator: "AND" as const, conditions: [{ contextKey: "country", operator: "in" as const, values: ["US"] }] },
  ],
  rollout: 100,
};

async function startEdge(): Promise<TestEdge> {
  const edge = await startTestEdge(undefined, {
    EDGE_BACKEND_GRPC: backend.url,
    EDGE_CLIENT_ID: client.id,
    EDGE_CLIENT_SECRET: client.secret,
    EDGE_ASSIGNMENT_FLUSH_SECS: "0.2",
    EDGE_SNAPSHOT_PATH: "off",
  });
  edges.push(edge);
  await eventually(() => edge.edge.health().status === "ready", "the edge to be ready");
  return edge;
}

async function ask(edge: TestEdge, userId: string, country: string) {
  const response = await edge.post("/evaluate", {
    feature_key: "sticky-kill",
    environment_id: "prod",
    context: [
      { key: "userId", value: userId },
      { key: "country", value: country },
    ],
  });
  return response.json();
}

async function storedRows(): Promise<{ userId: string; assigned: boolean }[]> {
  return db
    .select({ userId: userFlagAssignments.userId, assigned: userFlagAssignments.assigned })
    .from(userFlagAssignments)
    .where(eq(userFlagAssignments.featureId, flagId));
}

beforeAll(async () => {
  backend = await startTestBackend();
  db = backend.database.db;
  team = await createTeam(db);
  client = await createClient(db, team.teamId);
  flagId = (await createFlag(db, team.teamId, "sticky-kill", { stages: [{ environmentId: team.prod, rules: [inUs] }] }))
    .id;
}, 30_000);

afterAll(async () => {
  for (const edge of edges) await edge.close();
  await backend?.close();
}, 30_000);

describe("a kill purges sticky assignments", () => {
  test("stored rows go in the kill's transaction, the edge drops its entries, and nothing resurrects after release", async () => {
    const edge = await startEdge();
    for (const user of USERS) expect(await ask(edge, user, "US")).toMatchObject({ enabled: true });
    // Sticky: the same users keep the flag outside the US.
    expect(await ask(edge, "u-1", "DE")).toMatchObject({ enabled: true, reason: "TARGETING_MATCH" });
    expect(edge.edge.sticky.size).toBe(USERS.length);
    await eventually(async () => (await storedRows()).length === USERS.length, "the assignments to be stored");

    // The scheduled kill comes due: the kill-switch service kills the flag and deletes its rows together.
    await db
      .update(features)
      .set({ killScheduledAt: new Date(Date.now() - 1000) })
      .where(eq(features.id, flagId));
    expect(await applyDueKills({ db } as AppDeps)).toBe(1);
    expect(await storedRows()).toEqual([]);

    // The change reaches the edge: its entries are dropped and the flag answers DISABLED.
    await eventually(async () => (await ask(edge, "u-1", "US")).reason === "DISABLED", "the kill at the edge");
    expect(edge.edge.sticky.size).toBe(0);

    // The edge's purge reaches the backend (assigned: false deletes, never re-creates rows).
    await eventually(() => edge.edge.sticky.pendingSize === 0, "the purge to be flushed");
    await Bun.sleep(500);
    expect(await storedRows()).toEqual([]);

    // Released: users are evaluated afresh, outside the US nobody keeps an old assignment.
    await setKilled(db, flagId, false);
    await eventually(async () => (await ask(edge, "u-2", "US")).enabled === true, "the release at the edge");
    expect(await ask(edge, "u-1", "DE")).toMatchObject({ enabled: false, reason: "DEFAULT" });

    // A new edge warms from ListUserAssignments: only u-2's fresh assignment exists.
    await eventually(async () => (await storedRows()).length === 1, "u-2's new assignment to be stored");
    const second = await startEdge();
    await eventually(() => second.edge.sticky.size === 1, "the second edge to warm");
    expect(await ask(second, "u-2", "DE")).toMatchObject({ enabled: true });
    expect(await ask(second, "u-3", "DE")).toMatchObject({ enabled: false, reason: "DEFAULT" });
  }, 30_000);
});
