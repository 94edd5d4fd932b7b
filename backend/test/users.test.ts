import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { users } from "@fluxgate/drizzle";
import { createOrganisation, login, type Organisation, ROLE_IDS, unique } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const REGISTER = `mutation($input: RegisterUserInput!) {
  registerUser(input: $input) { id username email isAdmin isTemporaryPassword enabled memberships { team { id } role { name } } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id firstName email isAdmin enabled } }`;
const USER = `query($id: ID!) { user(id: $id) { id username teamIds roles { name } memberships { team { id } } } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

const newUser = (overrides: Record<string, unknown> = {}) => {
  const username = unique("person");
  return {
    username,
    password: "password-123",
    firstName: "Pat",
    lastName: "Person",
    email: `${username}@example.com`,
    ...overrides,
  };
};

describe("registerUser", () => {
  test("an administrator registers a user; the password is temporary by default", async () => {
    const input = newUser();
    const result = await t.gql(REGISTER, { input }, org.admin.token);
    expect(result.data.registerUser).toMatchObject({
      username: input.username,
      email: input.email,
      isAdmin: false,
      isTemporaryPassword: true,
      enabled: true,
      memberships: [],
    });
  });

  test("a Team Admin registers a user into their team with a role", async () => {
    const input = newUser({ teamId: org.teamA.id, roleId: ROLE_IDS.requester });
    const result = await t.gql(REGISTER, { input }, org.teamAdmin.token);
    expect(result.data.registerUser.memberships).toEqual([{ team: { id: org.teamA.id }, role: { name: "Requester" } }]);
  });

  test("a Team Admin must name a team they administer and cannot create administrators", async () => {
    expect(codeOf(await t.gql(REGISTER, { input: newUser() }, org.teamAdmin.token))).toBe("FORBIDDEN");
    expect(codeOf(await t.gql(REGISTER, { input: newUser({ teamId: org.teamB.id }) }, org.teamAdmin.token))).toBe(
      "NOT_FOUND",
    );
    const admin = await t.gql(
      REGISTER,
      { input: newUser({ teamId: org.teamA.id, isAdmin: true }) },
      org.teamAdmin.token,
    );
    expect(codeOf(admin)).toBe("FORBIDDEN");
  });

  test("Viewers, Requesters and Approvers cannot register users", async () => {
    for (const who of [org.viewer, org.requester, org.approver]) {
      expect(codeOf(await t.gql(REGISTER, { input: newUser({ teamId: org.teamA.id }) }, who.token))).toBe("FORBIDDEN");
    }
  });

  test("a duplicate username or email is CONFLICT naming the field", async () => {
    const taken = await t.gql(REGISTER, { input: newUser({ username: org.viewer.username }) }, org.admin.token);
    expect(codeOf(taken)).toBe("CONFLICT");
    expect(taken.errors?.[0].extensions?.field).toBe("input.username");
    expect(taken.errors?.[0].message).toBe(`user '${org.viewer.username}' already exists`);
    const email = await t.gql(
      REGISTER,
      { input: newUser({ email: `${org.viewer.username}@example.com` }) },
      org.admin.token,
    );
    expect(codeOf(email)).toBe("CONFLICT");
    expect(email.errors?.[0].extensions?.field).toBe("input.email");
  });

  test.each([
    [{ email: "nope" }, "input.email"],
    [{ username: "" }, "input.username"],
    [{ password: "1234567" }, "input.password"],
    [{ lastName: "" }, "input.lastName"],
    [{ teamId: "zzz" }, "input.teamId"],
    [{ roleId: ROLE_IDS.viewer }, "input.roleId"],
  ])("invalid input %j is BAD_USER_INPUT on %s and stores nothing", async (overrides, field) => {
    const before = (await t.database.db.select().from(users)).length;
    const result = await t.gql(REGISTER, { input: newUser(overrides) }, org.admin.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].extensions?.field).toBe(field);
    expect((await t.database.db.select().from(users)).length).toBe(before);
  });

  test("an unknown role is BAD_USER_INPUT and the user is not created (one transaction)", async () => {
    const input = newUser({ teamId: org.teamA.id, roleId: crypto.randomUUID() });
    expect(codeOf(await t.gql(REGISTER, { input }, org.admin.token))).toBe("BAD_USER_INPUT");
    expect(
      codeOf(
        await t.gql(
          `query($u: String!) { userByUsername(username: $u) { id } }`,
          { u: input.username },
          org.admin.token,
        ),
      ),
    ).toBe("NOT_FOUND");
  });

  test("the schema has no way to read a password hash", async () => {
    const result = await t.gql(`{ me { passwordHash } }`, {}, org.viewer.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
  });
});

describe("reading users", () => {
  test("members see each other; a user of another team is NOT_FOUND", async () => {
    const mate = await t.gql(USER, { id: org.requester.userId }, org.viewer.token);
    expect(mate.data.user.teamIds).toEqual([org.teamA.id]);
    expect(codeOf(await t.gql(USER, { id: org.outsider.userId }, org.viewer.token))).toBe("NOT_FOUND");
    expect(
      codeOf(
        await t.gql(
          `query($u: String!) { userByUsername(username: $u) { id } }`,
          { u: org.outsider.username },
          org.viewer.token,
        ),
      ),
    ).toBe("NOT_FOUND");
    expect((await t.gql(USER, { id: org.outsider.userId }, org.admin.token)).data.user.teamIds).toEqual([org.teamB.id]);
  });

  test("memberships in teams the viewer cannot see are hidden", async () => {
    // the admin puts the outsider into team A too, as a Viewer
    await t.gql(
      `mutation($t: ID!, $u: ID!, $r: ID!) { setTeamMember(teamId: $t, userId: $u, roleId: $r) { role { name } } }`,
      { t: org.teamA.id, u: org.outsider.userId, r: ROLE_IDS.viewer },
      org.admin.token,
    );
    const seen = await t.gql(USER, { id: org.outsider.userId }, org.viewer.token);
    expect(seen.data.user.teamIds).toEqual([org.teamA.id]);
    expect(seen.data.user.roles).toEqual([{ name: "Viewer" }]);
    const self = await t.gql(`{ me { teamIds } }`, {}, org.outsider.token);
    expect(self.data.me.teamIds.sort()).toEqual([org.teamA.id, org.teamB.id].sort());
    await t.gql(
      `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }`,
      { t: org.teamA.id, u: org.outsider.userId },
      org.admin.token,
    );
  });

  test("users lists the people the caller can see, by username, with paging and a name prefix", async () => {
    const list = (args: Record<string, unknown>, token: string) =>
      t.gql(
        `query($teamId: ID, $name: String, $p: Int, $s: Int) { users(teamId: $teamId, name: $name, pageNumber: $p, pageSize: $s) { total pageNumber pageSize items { username } } }`,
        args,
        token,
      );
    const mine = (await list({}, org.viewer.token)).data.users;
    const names = mine.items.map((u: { username: string }) => u.username);
    expect(names).toContain(org.requester.username);
    expect(names).not.toContain(org.outsider.username);
    expect(names).not.toContain("admin");
    expect([...names].sort()).toEqual(names);
    const everyone = (await list({ s: 100 }, org.admin.token)).data.users;
    expect(everyone.items.map((u: { username: string }) => u.username)).toContain(org.outsider.username);
    const page = (await list({ p: 2, s: 2 }, org.admin.token)).data.users;
    expect(page).toMatchObject({ pageNumber: 2, pageSize: 2, total: everyone.total });
    expect(page.items).toHaveLength(2);
    const prefix = (await list({ name: org.viewer.username.slice(0, 8).toUpperCase() }, org.admin.token)).data.users;
    expect(prefix.items.map((u: { username: string }) => u.username)).toContain(org.viewer.username);
    expect(
      prefix.items.every((u: { username: string }) => u.username.startsWith(org.viewer.username.slice(0, 8))),
    ).toBe(true);
    expect(codeOf(await list({ teamId: org.teamB.id }, org.viewer.token))).toBe("NOT_FOUND");
    expect((await list({ name: "%" }, org.admin.token)).data.users.total).toBe(0);
  });
});

describe("updateUser", () => {
  test("users change their own names and email", async () => {
    const result = await t.gql(
      UPDATE,
      { id: org.viewer.userId, input: { firstName: "Vera", email: "VERA@example.com" } },
      org.viewer.token,
    );
    expect(result.data.updateUser).toMatchObject({ firstName: "Vera", email: "vera@example.com" });
  });

  test("nobody but an administrator changes isAdmin or enabled, or someone else's profile", async () => {
    expect(codeOf(await t.gql(UPDATE, { id: org.viewer.userId, input: { isAdmin: true } }, org.viewer.token))).toBe(
      "FORBIDDEN",
    );
    expect(codeOf(await t.gql(UPDATE, { id: org.viewer.userId, input: { enabled: false } }, org.teamAdmin.token))).toBe(
      "FORBIDDEN",
    );
    expect(codeOf(await t.gql(UPDATE, { id: org.viewer.userId, input: { firstName: "X" } }, org.teamAdmin.token))).toBe(
      "FORBIDDEN",
    );
    expect(codeOf(await t.gql(UPDATE, { id: org.outsider.userId, input: { firstName: "X" } }, org.viewer.token))).toBe(
      "NOT_FOUND",
    );
  });

  test("an administrator disables a user: sessions end and login is refused; enabling restores login", async () => {
    const victim = org.approver;
    expect(
      (await t.gql(UPDATE, { id: victim.userId, input: { enabled: false } }, org.admin.token)).data.updateUser.enabled,
    ).toBe(false);
    expect(codeOf(await t.gql(`{ me { id } }`, {}, victim.token))).toBe("UNAUTHENTICATED");
    await t.gql(UPDATE, { id: victim.userId, input: { enabled: true } }, org.admin.token);
    org.approver = { ...victim, token: await login(t.gql, victim.username, victim.password) };
    const log = await t.gql(
      `{ recentActivities(entityId: "${victim.userId}", activityTypes: ["user_disabled", "user_enabled"]) { items { activityType before after } } }`,
      {},
      org.admin.token,
    );
    const items = log.data.recentActivities.items;
    expect(items.map((i: { activityType: string }) => i.activityType)).toEqual(["user_enabled", "user_disabled"]);
    expect(items[1].before.enabled).toBe(true);
    expect(items[1].after.enabled).toBe(false);
    expect(JSON.stringify(items)).not.toContain("passwordHash");
  });

  test("the last enabled administrator cannot be disabled or demoted", async () => {
    const demote = await t.gql(UPDATE, { id: org.admin.userId, input: { isAdmin: false } }, org.admin.token);
    expect(codeOf(demote)).toBe("CONFLICT");
    expect(codeOf(await t.gql(UPDATE, { id: org.admin.userId, input: { enabled: false } }, org.admin.token))).toBe(
      "CONFLICT",
    );
  });

  test("an invalid email is BAD_USER_INPUT; a taken one is CONFLICT", async () => {
    expect(
      codeOf(await t.gql(UPDATE, { id: org.requester.userId, input: { email: "bad" } }, org.requester.token)),
    ).toBe("BAD_USER_INPUT");
    const taken = await t.gql(
      UPDATE,
      { id: org.requester.userId, input: { email: "admin@example.com" } },
      org.requester.token,
    );
    expect(codeOf(taken)).toBe("CONFLICT");
    expect(taken.errors?.[0].extensions?.field).toBe("input.email");
  });
});

describe("setTemporaryPassword", () => {
  const SET = `mutation($input: SetTemporaryPasswordInput!) { setTemporaryPassword(input: $input) }`;

  test("a Team Admin may reset a member who belongs only to their teams", async () => {
    const member = await t.gql(
      REGISTER,
      { input: newUser({ teamId: org.teamA.id, isTemporaryPassword: false }) },
      org.teamAdmin.token,
    );
    const result = await t.gql(
      SET,
      { input: { userId: member.data.registerUser.id, temporaryPassword: "temp-pass-1" } },
      org.teamAdmin.token,
    );
    expect(result.data).toEqual({ setTemporaryPassword: true });
  });

  test("a Team Admin may not reset an administrator, a member of other teams, or anyone in a team they do not run", async () => {
    expect(
      codeOf(
        await t.gql(
          SET,
          { input: { userId: org.admin.userId, temporaryPassword: "temp-pass-1" } },
          org.teamAdmin.token,
        ),
      ),
    ).toBe("NOT_FOUND");
    expect(
      codeOf(
        await t.gql(
          SET,
          { input: { userId: org.outsider.userId, temporaryPassword: "temp-pass-1" } },
          org.teamAdmin.token,
        ),
      ),
    ).toBe("NOT_FOUND");
    expect(
      codeOf(
        await t.gql(
          SET,
          { input: { userId: org.teamAdmin.userId, temporaryPassword: "temp-pass-1" } },
          org.viewer.token,
        ),
      ),
    ).toBe("FORBIDDEN");
  });

  test("a short temporary password is BAD_USER_INPUT", async () => {
    const result = await t.gql(
      SET,
      { input: { userId: org.viewer.userId, temporaryPassword: "short" } },
      org.admin.token,
    );
    expect(result.errors?.[0].extensions?.field).toBe("input.temporaryPassword");
  });
});
