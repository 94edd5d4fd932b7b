import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { configChanges, teams } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";
import { createOrganisation, createTeam, type Organisation, unique } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const CREATE = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name description } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateTeamInput!) { updateTeam(id: $id, input: $input) { id name description } }`;
const TEAM = `query($id: ID!) { team(id: $id) { id name } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

describe("teams", () => {
  test("an administrator creates a team with a name and description", async () => {
    const name = unique("Payments");
    const result = await t.gql(CREATE, { input: { name, description: "money" } }, org.admin.token);
    expect(result.data.createTeam).toMatchObject({ name, description: "money" });
    const nameOnly = await t.gql(CREATE, { input: { name: unique("Solo") } }, org.admin.token);
    expect(nameOnly.data.createTeam.description).toBe("");
  });

  test("only administrators create teams", async () => {
    expect(codeOf(await t.gql(CREATE, { input: { name: unique("Nope") } }, org.teamAdmin.token))).toBe("FORBIDDEN");
  });

  test.each([
    [{ name: "ab" }, "input.name"],
    [{ name: "x".repeat(51) }, "input.name"],
    [{ name: "   " }, "input.name"],
    [{ name: "Valid name", description: "d".repeat(201) }, "input.description"],
  ])("invalid input %j is BAD_USER_INPUT on %s and stores nothing", async (input, field) => {
    const before = (await t.database.db.select().from(teams)).length;
    const result = await t.gql(CREATE, { input }, org.admin.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].extensions?.field).toBe(field);
    expect((await t.database.db.select().from(teams)).length).toBe(before);
  });

  test("a duplicate name is CONFLICT naming the team", async () => {
    const result = await t.gql(CREATE, { input: { name: org.teamA.name } }, org.admin.token);
    expect(codeOf(result)).toBe("CONFLICT");
    expect(result.errors?.[0].message).toBe(`team '${org.teamA.name}' already exists`);
  });

  test("teams lists every team for administrators and one's own teams for others", async () => {
    const all = (await t.gql(`{ teams { id } }`, {}, org.admin.token)).data.teams.map((x: { id: string }) => x.id);
    expect(all).toContain(org.teamA.id);
    expect(all).toContain(org.teamB.id);
    const mine = (await t.gql(`{ teams { id } }`, {}, org.viewer.token)).data.teams;
    expect(mine).toEqual([{ id: org.teamA.id }]);
  });

  test("a member reads their team; another team's id is NOT_FOUND", async () => {
    expect((await t.gql(TEAM, { id: org.teamA.id }, org.viewer.token)).data.team.id).toBe(org.teamA.id);
    const other = await t.gql(TEAM, { id: org.teamB.id }, org.viewer.token);
    expect(codeOf(other)).toBe("NOT_FOUND");
    expect(codeOf(await t.gql(TEAM, { id: crypto.randomUUID() }, org.admin.token))).toBe("NOT_FOUND");
  });

  test("a malformed id is BAD_USER_INPUT", async () => {
    expect(codeOf(await t.gql(TEAM, { id: "not-a-uuid" }, org.viewer.token))).toBe("BAD_USER_INPUT");
  });

  test("a Team Admin updates their team; Viewer, Requester and Approver cannot", async () => {
    for (const who of [org.viewer, org.requester, org.approver]) {
      expect(codeOf(await t.gql(UPDATE, { id: org.teamA.id, input: { description: "x" } }, who.token))).toBe(
        "FORBIDDEN",
      );
    }
    const result = await t.gql(UPDATE, { id: org.teamA.id, input: { description: "updated" } }, org.teamAdmin.token);
    expect(result.data.updateTeam.description).toBe("updated");
    expect(result.data.updateTeam.name).toBe(org.teamA.name);
  });

  test("a Team Admin of another team gets NOT_FOUND updating this one", async () => {
    expect(codeOf(await t.gql(UPDATE, { id: org.teamA.id, input: { description: "x" } }, org.outsider.token))).toBe(
      "NOT_FOUND",
    );
  });

  test("renaming to a taken name is CONFLICT and changes nothing", async () => {
    const result = await t.gql(UPDATE, { id: org.teamA.id, input: { name: org.teamB.name } }, org.teamAdmin.token);
    expect(codeOf(result)).toBe("CONFLICT");
    expect((await t.gql(TEAM, { id: org.teamA.id }, org.viewer.token)).data.team.name).toBe(org.teamA.name);
  });

  test("only administrators delete teams; deletion is logged and announced on the change feed", async () => {
    const doomed = await createTeam(t.gql, org.admin.token);
    const remove = `mutation($id: ID!) { deleteTeam(id: $id) }`;
    expect(codeOf(await t.gql(remove, { id: org.teamA.id }, org.teamAdmin.token))).toBe("FORBIDDEN");
    expect((await t.gql(remove, { id: doomed.id }, org.admin.token)).data).toEqual({ deleteTeam: true });
    expect(codeOf(await t.gql(TEAM, { id: doomed.id }, org.admin.token))).toBe("NOT_FOUND");
    expect(codeOf(await t.gql(remove, { id: doomed.id }, org.admin.token))).toBe("NOT_FOUND");
    const [change] = await t.database.db.select().from(configChanges).where(eq(configChanges.teamId, doomed.id));
    expect(change).toMatchObject({ kind: "DELETE", entity: "team", key: doomed.name });
    const log = await t.gql(
      `{ recentActivities(activityTypes: ["team_deleted"]) { items { entityId teamId } } }`,
      {},
      org.admin.token,
    );
    expect(log.data.recentActivities.items).toContainEqual({ entityId: doomed.id, teamId: null });
  });
});
