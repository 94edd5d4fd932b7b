/**
 * Found by the GraphQL fuzzer. A NUL character in any string argument reached Postgres, which refuses it
 * (SQLSTATE 22021 for text, 22P05 for jsonb), and came back as INTERNAL "Unexpected error." with an error-level log
 * line — anonymously too, through `login`. It is the caller's input: BAD_USER_INPUT, nothing logged as unexpected.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createFirstAdmin, type Session } from "../../backend/test/support/fixtures.ts";
import { codeOf } from "../../backend/test/support/gql.ts";
import { startTestBackend, type TestBackend } from "../../backend/test/support/server.ts";

let t: TestBackend;
let admin: Session;

beforeAll(async () => {
  t = await startTestBackend();
  admin = await createFirstAdmin(t.gql);
}, 240_000);
afterAll(() => t.stop());

test.each([
  [
    "login (anonymous)",
    `mutation($i: LoginInput!) { login(input: $i) { token } }`,
    { i: { username: "a\u0000", password: "x" } },
    false,
  ],
  ["userByUsername", `query($u: String!) { userByUsername(username: $u) { id } }`, { u: "a\u0000b" }, true],
  [
    "createTeam",
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
    { i: { name: "te\u0000am" } },
    true,
  ],
  ["recentActivities", `query($e: String) { recentActivities(entityType: $e) { total } }`, { e: "\u0000" }, true],
])("a NUL character in %s is BAD_USER_INPUT, not INTERNAL", async (_, query, variables, authenticated) => {
  const result = await t.gql(query, variables, authenticated ? admin.token : undefined);
  expect(codeOf(result)).toBe("BAD_USER_INPUT");
  expect(result.errors?.[0].message).toContain("NUL");
});

// Also found by the GraphQL fuzzer: inputs the database refused, each coming back as INTERNAL.
test.each([
  ["a DateTime in year 0000", `query { recentActivities(fromDate: "0000-01-01T00:00:00Z") { total } }`],
  [
    "a DateTime an offset pushes into year 0000",
    `query { recentActivities(toDate: "0001-01-01T00:00:00+01:00") { total } }`,
  ],
  [
    "a DateTime an offset pushes into year 10000",
    `query { recentActivities(toDate: "9999-12-31T23:59:59-05:00") { total } }`,
  ],
])("%s is BAD_USER_INPUT", async (_, query) => {
  const result = await t.gql(query, {}, admin.token);
  expect(codeOf(result)).toBe("BAD_USER_INPUT");
  expect(result.errors?.[0].message).toContain("0001 to 9999");
});

test("the earliest and latest DateTime are accepted", async () => {
  const result = await t.gql(
    `query { recentActivities(fromDate: "0001-01-01T00:00:00Z", toDate: "9999-12-31T23:59:59.999Z") { total } }`,
    {},
    admin.token,
  );
  expect(result.errors).toBeUndefined();
});

test.each([
  ["updateTeam", `mutation($id: ID!) { updateTeam(id: $id, input: {}) { id name } }`],
  ["updateUser", `mutation($id: ID!) { updateUser(id: $id, input: {}) { id username } }`],
])("%s with nothing to change answers the object unchanged (was INTERNAL: an empty SET)", async (name, query) => {
  const team = (await t.gql(`mutation { createTeam(input: {name: "empty-update"}) { id } }`, {}, admin.token)).data
    ?.createTeam?.id;
  const id = name === "updateTeam" ? team : admin.userId;
  const result = await t.gql(query, { id }, admin.token);
  expect(result.errors).toBeUndefined();
  expect(result.data[name].id).toBe(id);
});
