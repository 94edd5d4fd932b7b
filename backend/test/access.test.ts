import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createFirstAdmin, createUser, login, type Session } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

let t: TestBackend;
let prod: TestBackend;
let admin: Session;
beforeAll(async () => {
  [t, prod] = await Promise.all([startTestBackend(), startTestBackend({ config: { production: true } })]);
  admin = await createFirstAdmin(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all([t.stop(), prod.stop()]);
});

describe("anonymous access is decided on the parsed operation", () => {
  test.each([
    ["a public field next to a private one", `query { applicationStatus { adminConfigured } teams { id } }`],
    ["a comment mentioning login", `# mutation login createAdmin\nquery { teams { id } }`],
    [
      "a string argument mentioning applicationStatus",
      `query { userByUsername(username: "applicationStatus") { id } }`,
    ],
    ["an alias named like a public field", `query { applicationStatus: teams { id } }`],
    ["a private field behind a root fragment", `query { ...F } fragment F on Query { teams { id } }`],
    [
      "a private field behind an inline fragment",
      `query { applicationStatus { adminConfigured } ... on Query { teams { id } } }`,
    ],
    ["a private field under @skip", `query { applicationStatus { adminConfigured } teams @skip(if: true) { id } }`],
    ["a private mutation next to login", `mutation { login(input: {username: "a", password: "b"}) { token } logout }`],
  ])("%s is refused", async (_, query) => {
    const result = await t.gql(query);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(result.status).toBe(401);
    expect(result.data ?? null).toBeNull();
  });

  test("operationName picks the operation that is judged", async () => {
    const document = `query Public { applicationStatus { adminConfigured } } query Private { teams { id } }`;
    const ok = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: document, operationName: "Public" }),
    });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: document, operationName: "Private" }),
    });
    expect(refused.status).toBe(401);
  });

  test("the public operations work anonymously, __typename included", async () => {
    const result = await t.gql(`query { __typename applicationStatus { adminConfigured } }`);
    expect(result.errors).toBeUndefined();
  });

  test("introspection is anonymous outside production and needs a token in production", async () => {
    const query = `{ __schema { queryType { name } } }`;
    expect((await t.gql(query)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect(codeOf(await prod.gql(query))).toBe("UNAUTHENTICATED");
    const prodAdmin = await createFirstAdmin(prod.gql);
    expect((await prod.gql(query, {}, prodAdmin.token)).errors).toBeUndefined();
  });

  test("GET queries follow the same rules", async () => {
    const refused = await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ teams { id } }")}`, {
      headers: { accept: "application/json" },
    });
    expect(refused.status).toBe(401);
    const allowed = await fetch(
      `${t.url}/graphql?query=${encodeURIComponent("{ applicationStatus { adminConfigured } }")}`,
      {
        headers: { accept: "application/json" },
      },
    );
    expect(allowed.status).toBe(200);
  });

  test("mutations over GET are refused", async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent("mutation { logout }")}`, {
      headers: { accept: "application/json", authorization: `Bearer ${admin.token}` },
    });
    expect(response.status).toBe(405);
  });
});

describe("temporary passwords", () => {
  test("until it is reset only resetPassword, logout, logoutCurrent, me and applicationStatus work", async () => {
    const user = await createUser(t.gql, admin.token, { temporary: true });
    const refused = await t.gql(`{ teams { id } }`, {}, user.token);
    expect(codeOf(refused)).toBe("PASSWORD_RESET_REQUIRED");
    expect(refused.status).toBe(403);
    expect(codeOf(await t.gql(`{ me { id } teams { id } }`, {}, user.token))).toBe("PASSWORD_RESET_REQUIRED");
    expect(
      (await t.gql(`{ me { isTemporaryPassword } applicationStatus { adminConfigured } }`, {}, user.token)).data,
    ).toEqual({
      me: { isTemporaryPassword: true },
      applicationStatus: { adminConfigured: true },
    });
    const reset = await t.gql(
      `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`,
      { input: { currentPassword: user.password, newPassword: "a-new-password" } },
      user.token,
    );
    expect(reset.data).toEqual({ resetPassword: true });
    expect((await t.gql(`{ teams { id } }`, {}, user.token)).errors).toBeUndefined();
    const fresh = await t.gql(
      `mutation { login(input: {username: "${user.username}", password: "a-new-password"}) { isTemporary } }`,
    );
    expect(fresh.data.login.isTemporary).toBe(false);
  });

  test("resetPassword checks the current password, the length and that the new one differs", async () => {
    const user = await createUser(t.gql, admin.token);
    const reset = (currentPassword: string, newPassword: string) =>
      t.gql(
        `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`,
        { input: { currentPassword, newPassword } },
        user.token,
      );
    const wrong = await reset("not-my-password", "another-password");
    expect(codeOf(wrong)).toBe("BAD_USER_INPUT");
    expect(wrong.errors?.[0].extensions?.field).toBe("input.currentPassword");
    expect((await reset(user.password, "short")).errors?.[0].extensions?.field).toBe("input.newPassword");
    expect((await reset(user.password, user.password)).errors?.[0].message).toContain("different");
    expect((await reset("", "another-password")).errors?.[0].extensions?.field).toBe("input.currentPassword");
    // nothing changed: the old password still logs in
    expect(await login(t.gql, user.username, user.password)).toBeString();
  });

  test("resetPassword ends the caller's other sessions but keeps the current one", async () => {
    const user = await createUser(t.gql, admin.token);
    const other = await login(t.gql, user.username, user.password);
    await t.gql(
      `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`,
      { input: { currentPassword: user.password, newPassword: "fresh-password-9" } },
      user.token,
    );
    expect((await t.gql(`{ me { id } }`, {}, user.token)).errors).toBeUndefined();
    expect(codeOf(await t.gql(`{ me { id } }`, {}, other))).toBe("UNAUTHENTICATED");
  });

  test("setTemporaryPassword by an administrator flags the user and ends their sessions", async () => {
    const user = await createUser(t.gql, admin.token);
    const result = await t.gql(
      `mutation($input: SetTemporaryPasswordInput!) { setTemporaryPassword(input: $input) }`,
      { input: { userId: user.userId, temporaryPassword: "temporary-pw-1" } },
      admin.token,
    );
    expect(result.data).toEqual({ setTemporaryPassword: true });
    expect(codeOf(await t.gql(`{ me { id } }`, {}, user.token))).toBe("UNAUTHENTICATED");
    const login2 = await t.gql(
      `mutation { login(input: {username: "${user.username}", password: "temporary-pw-1"}) { isTemporary } }`,
    );
    expect(login2.data.login.isTemporary).toBe(true);
  });
});

describe("query limits", () => {
  test("a query nested deeper than the limit is BAD_USER_INPUT", async () => {
    expect((await t.gql(`{ me { memberships { team { id } } } }`, {}, admin.token)).errors).toBeUndefined();
    // the domain types are shallow; __type(...).ofType chains nest as deep as one likes
    let ofType = "name";
    for (let i = 0; i < 14; i++) ofType = `ofType { ${ofType} }`;
    const tooDeep = await t.gql(
      `{ me { id } __type(name: "User") { fields { type { ${ofType} } } } }`,
      {},
      admin.token,
    );
    expect(codeOf(tooDeep)).toBe("BAD_USER_INPUT");
    expect(tooDeep.errors?.[0].message).toContain("depth");
  });

  test("a document with too many tokens is BAD_USER_INPUT", async () => {
    const fields = Array.from({ length: 1200 }, (_, i) => `a${i}: __typename`).join(" ");
    const result = await t.gql(`{ ${fields} }`, {}, admin.token);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toContain("Token limit");
  });
});
