import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activityLog } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";
import { recordActivity } from "../src/audit/service";
import { createOrganisation, type Organisation } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const RECENT = `query($teamId: ID, $types: [String!], $entityType: String, $entityId: String, $actorId: ID, $from: DateTime, $to: DateTime, $p: Int, $s: Int) {
  recentActivities(teamId: $teamId, activityTypes: $types, entityType: $entityType, entityId: $entityId, actorId: $actorId,
                   fromDate: $from, toDate: $to, pageNumber: $p, pageSize: $s) {
    total pageNumber pageSize
    items { id teamId activityType entityType entityId actorId actorName description metadata before after createdAt entityDetails { name } }
  }
}`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
  for (const description of ["one", "two", "three"]) {
    await t.gql(
      `mutation($id: ID!, $d: String!) { updateTeam(id: $id, input: { description: $d }) { id } }`,
      { id: org.teamA.id, d: description },
      org.teamAdmin.token,
    );
  }
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

describe("recentActivities", () => {
  test("a member reads their team's entries, newest first, with before and after", async () => {
    const result = await t.gql(RECENT, { teamId: org.teamA.id, types: ["team_updated"] }, org.viewer.token);
    const items = result.data.recentActivities.items;
    expect(items.map((i: { after: { description: string } }) => i.after.description)).toEqual(["three", "two", "one"]);
    expect(items[0]).toMatchObject({
      teamId: org.teamA.id,
      entityType: "team",
      entityId: org.teamA.id,
      actorId: org.teamAdmin.userId,
      actorName: org.teamAdmin.username,
      before: { description: "two" },
      entityDetails: { name: org.teamA.name },
    });
  });

  test("teamId is required unless you are an administrator", async () => {
    const result = await t.gql(RECENT, {}, org.viewer.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].extensions?.field).toBe("teamId");
    const all = await t.gql(RECENT, { s: 100 }, org.admin.token);
    const teams = new Set(all.data.recentActivities.items.map((i: { teamId: string | null }) => i.teamId));
    expect(teams.has(null)).toBe(true);
    expect(teams.has(org.teamA.id)).toBe(true);
    expect(teams.has(org.teamB.id)).toBe(true);
  });

  test("another team's log is NOT_FOUND", async () => {
    expect(codeOf(await t.gql(RECENT, { teamId: org.teamB.id }, org.viewer.token))).toBe("NOT_FOUND");
  });

  test("filters match exactly and combine", async () => {
    const byActor = await t.gql(RECENT, { teamId: org.teamA.id, actorId: org.teamAdmin.userId }, org.viewer.token);
    expect(
      byActor.data.recentActivities.items.every((i: { actorId: string }) => i.actorId === org.teamAdmin.userId),
    ).toBe(true);
    expect(byActor.data.recentActivities.total).toBe(3);
    const byEntity = await t.gql(
      RECENT,
      { teamId: org.teamA.id, entityType: "team", entityId: org.teamA.id },
      org.viewer.token,
    );
    expect(byEntity.data.recentActivities.total).toBeGreaterThanOrEqual(4);
    const partial = await t.gql(RECENT, { teamId: org.teamA.id, entityType: "tea" }, org.viewer.token);
    expect(partial.data.recentActivities.total).toBe(0);
    const future = await t.gql(
      RECENT,
      { teamId: org.teamA.id, from: new Date(Date.now() + 60_000).toISOString() },
      org.viewer.token,
    );
    expect(future.data.recentActivities.total).toBe(0);
    const past = await t.gql(RECENT, { teamId: org.teamA.id, to: "2000-01-01T00:00:00Z" }, org.viewer.token);
    expect(past.data.recentActivities.total).toBe(0);
  });

  test("paging gives pageNumber, pageSize and the total", async () => {
    const page = await t.gql(RECENT, { teamId: org.teamA.id, p: 2, s: 2 }, org.viewer.token);
    const all = await t.gql(RECENT, { teamId: org.teamA.id, s: 100 }, org.viewer.token);
    expect(page.data.recentActivities).toMatchObject({
      pageNumber: 2,
      pageSize: 2,
      total: all.data.recentActivities.total,
    });
    expect(page.data.recentActivities.items.map((i: { id: string }) => i.id)).toEqual(
      all.data.recentActivities.items.slice(2, 4).map((i: { id: string }) => i.id),
    );
  });

  test("a malformed DateTime is BAD_USER_INPUT", async () => {
    const result = await t.gql(RECENT, { teamId: org.teamA.id, from: "yesterday" }, org.viewer.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toContain("RFC 3339");
  });
});

describe("recordActivity", () => {
  test("an entry written in a transaction that rolls back is not stored", async () => {
    const entityId = crypto.randomUUID();
    await t.database.db
      .transaction(async (tx) => {
        await recordActivity(tx, {
          teamId: org.teamA.id,
          activityType: "feature_created",
          entityType: "feature",
          entityId,
          actor: { userId: org.admin.userId, username: "admin" },
          description: "never happened",
        });
        throw new Error("roll back");
      })
      .catch(() => {});
    expect(await t.database.db.select().from(activityLog).where(eq(activityLog.entityId, entityId))).toEqual([]);
  });

  test("dates in before/after are stored as RFC 3339 strings", async () => {
    const entityId = crypto.randomUUID();
    const at = new Date("2025-01-31T12:00:00Z");
    await t.database.db.transaction((tx) =>
      recordActivity(tx, {
        teamId: null,
        activityType: "feature_updated",
        entityType: "feature",
        entityId,
        actor: null,
        description: "dates",
        before: { at },
        after: { at, gone: undefined },
      }),
    );
    const [row] = await t.database.db.select().from(activityLog).where(eq(activityLog.entityId, entityId));
    expect(row.before).toEqual({ at: "2025-01-31T12:00:00.000Z" });
    expect(row.after).toEqual({ at: "2025-01-31T12:00:00.000Z" });
  });
});
