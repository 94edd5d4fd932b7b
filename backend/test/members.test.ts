import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createOrganisation, createTeam, createUser, type Organisation, ROLE_IDS } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const SET = `mutation($t: ID!, $u: ID!, $r: ID!) { setTeamMember(teamId: $t, userId: $u, roleId: $r) { team { id } role { name } } }`;
const REMOVE = `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }`;
const TEAMS_OF = `mutation($u: ID!, $ids: [ID!]!) { assignUserTeams(userId: $u, teamIds: $ids) { id } }`;
const ROLES_OF = `mutation($u: ID!, $input: AssignUserRolesInput!) { assignUserRoles(userId: $u, input: $input) { name } }`;
const MEMBERSHIPS = `query($id: ID!) { user(id: $id) { memberships { team { id } role { name } } } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

const membershipsOf = async (userId: string) =>
  (await t.gql(MEMBERSHIPS, { id: userId }, org.admin.token)).data.user.memberships as {
    team: { id: string };
    role: { name: string };
  }[];

describe("roles", () => {
  test("roles lists the four built-in roles by name", async () => {
    const result = await t.gql(`{ roles { id name } }`, {}, org.viewer.token);
    expect(result.data.roles).toEqual([
      { id: ROLE_IDS.approver, name: "Approver" },
      { id: ROLE_IDS.requester, name: "Requester" },
      { id: ROLE_IDS.teamAdmin, name: "Team Admin" },
      { id: ROLE_IDS.viewer, name: "Viewer" },
    ]);
  });

  test("userRoles gives the roles a visible user holds", async () => {
    const result = await t.gql(
      `query($u: ID!) { userRoles(userId: $u) { name } }`,
      { u: org.approver.userId },
      org.viewer.token,
    );
    expect(result.data.userRoles).toEqual([{ name: "Approver" }]);
    expect(
      codeOf(
        await t.gql(`query($u: ID!) { userRoles(userId: $u) { name } }`, { u: org.outsider.userId }, org.viewer.token),
      ),
    ).toBe("NOT_FOUND");
  });
});

describe("team membership", () => {
  test("a Team Admin adds a user, changes their role and removes them", async () => {
    const user = await createUser(t.gql, org.admin.token);
    const added = await t.gql(SET, { t: org.teamA.id, u: user.userId, r: ROLE_IDS.requester }, org.teamAdmin.token);
    expect(added.data.setTeamMember).toEqual({ team: { id: org.teamA.id }, role: { name: "Requester" } });
    await t.gql(SET, { t: org.teamA.id, u: user.userId, r: ROLE_IDS.approver }, org.teamAdmin.token);
    expect(await membershipsOf(user.userId)).toEqual([{ team: { id: org.teamA.id }, role: { name: "Approver" } }]);
    expect((await t.gql(REMOVE, { t: org.teamA.id, u: user.userId }, org.teamAdmin.token)).data).toEqual({
      removeTeamMember: true,
    });
    expect(await membershipsOf(user.userId)).toEqual([]);
    expect(codeOf(await t.gql(REMOVE, { t: org.teamA.id, u: user.userId }, org.teamAdmin.token))).toBe("NOT_FOUND");
  });

  test("a role change takes effect on the member's next request", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Viewer" });
    const update = `mutation($id: ID!) { updateTeam(id: $id, input: { description: "by member" }) { id } }`;
    expect(codeOf(await t.gql(update, { id: org.teamA.id }, user.token))).toBe("FORBIDDEN");
    await t.gql(SET, { t: org.teamA.id, u: user.userId, r: ROLE_IDS.teamAdmin }, org.teamAdmin.token);
    expect((await t.gql(update, { id: org.teamA.id }, user.token)).errors).toBeUndefined();
  });

  test("members below Team Admin cannot manage members; other teams' admins get NOT_FOUND", async () => {
    const user = await createUser(t.gql, org.admin.token);
    for (const who of [org.viewer, org.requester, org.approver]) {
      expect(codeOf(await t.gql(SET, { t: org.teamA.id, u: user.userId, r: ROLE_IDS.viewer }, who.token))).toBe(
        "FORBIDDEN",
      );
    }
    expect(codeOf(await t.gql(SET, { t: org.teamA.id, u: user.userId, r: ROLE_IDS.viewer }, org.outsider.token))).toBe(
      "NOT_FOUND",
    );
  });

  test("an unknown role or user is refused", async () => {
    const user = await createUser(t.gql, org.admin.token);
    expect(
      codeOf(await t.gql(SET, { t: org.teamA.id, u: user.userId, r: crypto.randomUUID() }, org.teamAdmin.token)),
    ).toBe("BAD_USER_INPUT");
    expect(
      codeOf(await t.gql(SET, { t: org.teamA.id, u: crypto.randomUUID(), r: ROLE_IDS.viewer }, org.teamAdmin.token)),
    ).toBe("NOT_FOUND");
  });

  test("a Team Admin cannot remove or demote the team's last Team Admin; an administrator can", async () => {
    const team = await createTeam(t.gql, org.admin.token);
    const boss = await createUser(t.gql, org.admin.token, { teamId: team.id, role: "Team Admin" });
    expect(codeOf(await t.gql(REMOVE, { t: team.id, u: boss.userId }, boss.token))).toBe("CONFLICT");
    expect(codeOf(await t.gql(SET, { t: team.id, u: boss.userId, r: ROLE_IDS.viewer }, boss.token))).toBe("CONFLICT");
    expect((await t.gql(REMOVE, { t: team.id, u: boss.userId }, org.admin.token)).data).toEqual({
      removeTeamMember: true,
    });
  });
});

describe("assignUserTeams", () => {
  test("an administrator replaces memberships, keeping existing roles and giving Viewer to new teams", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Approver" });
    const result = await t.gql(TEAMS_OF, { u: user.userId, ids: [org.teamA.id, org.teamB.id] }, org.admin.token);
    expect(result.data.assignUserTeams.map((x: { id: string }) => x.id).sort()).toEqual(
      [org.teamA.id, org.teamB.id].sort(),
    );
    const byTeam = Object.fromEntries((await membershipsOf(user.userId)).map((m) => [m.team.id, m.role.name]));
    expect(byTeam).toEqual({ [org.teamA.id]: "Approver", [org.teamB.id]: "Viewer" });
    await t.gql(TEAMS_OF, { u: user.userId, ids: [org.teamB.id] }, org.admin.token);
    expect((await membershipsOf(user.userId)).map((m) => m.team.id)).toEqual([org.teamB.id]);
  });

  test("a Team Admin changes only their own teams; other memberships stay", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamB.id, role: "Viewer" });
    const result = await t.gql(TEAMS_OF, { u: user.userId, ids: [org.teamA.id] }, org.teamAdmin.token);
    expect(result.data.assignUserTeams).toEqual([{ id: org.teamA.id }]);
    expect((await membershipsOf(user.userId)).map((m) => m.team.id).sort()).toEqual(
      [org.teamA.id, org.teamB.id].sort(),
    );
    expect(codeOf(await t.gql(TEAMS_OF, { u: user.userId, ids: [org.teamB.id] }, org.teamAdmin.token))).toBe(
      "NOT_FOUND",
    );
  });

  test("a failure part-way leaves every membership as it was", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Viewer" });
    const result = await t.gql(TEAMS_OF, { u: user.userId, ids: [org.teamB.id, crypto.randomUUID()] }, org.admin.token);
    expect(codeOf(result)).toBe("NOT_FOUND");
    expect((await membershipsOf(user.userId)).map((m) => m.team.id)).toEqual([org.teamA.id]);
  });
});

describe("assignUserRoles", () => {
  test("sets the role in the named team", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Viewer" });
    const result = await t.gql(
      ROLES_OF,
      { u: user.userId, input: { roleIds: [ROLE_IDS.requester], teamId: org.teamA.id } },
      org.teamAdmin.token,
    );
    expect(result.data.assignUserRoles).toEqual([{ name: "Requester" }]);
  });

  test("without teamId it applies to the user's only team, and needs teamId otherwise", async () => {
    const user = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Viewer" });
    const single = await t.gql(
      ROLES_OF,
      { u: user.userId, input: { roleIds: [ROLE_IDS.approver] } },
      org.teamAdmin.token,
    );
    expect(single.data.assignUserRoles).toEqual([{ name: "Approver" }]);
    await t.gql(SET, { t: org.teamB.id, u: user.userId, r: ROLE_IDS.viewer }, org.admin.token);
    const ambiguous = await t.gql(
      ROLES_OF,
      { u: user.userId, input: { roleIds: [ROLE_IDS.approver] } },
      org.admin.token,
    );
    expect(codeOf(ambiguous)).toBe("BAD_USER_INPUT");
    expect(ambiguous.errors?.[0].extensions?.field).toBe("input.teamId");
  });

  test("more than one role is BAD_USER_INPUT: one role per team", async () => {
    const result = await t.gql(
      ROLES_OF,
      { u: org.viewer.userId, input: { roleIds: [ROLE_IDS.viewer, ROLE_IDS.approver], teamId: org.teamA.id } },
      org.teamAdmin.token,
    );
    expect(result.errors?.[0].extensions?.field).toBe("input.roleIds");
  });
});
