/**
 * Found by the GraphQL fuzzer: a NUL character in any string argument reached Postgres, which refuses it
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
