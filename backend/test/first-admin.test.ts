import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { users } from "@fluxgate/drizzle";
import { ADMIN_PASSWORD, createFirstAdmin } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const STATUS = `{ applicationStatus { adminConfigured } }`;
const CREATE_ADMIN = `mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id username isAdmin isTemporaryPassword } }`;
const adminInput = (username: string, overrides: Record<string, unknown> = {}) => ({
  input: {
    username,
    password: ADMIN_PASSWORD,
    firstName: "A",
    lastName: "B",
    email: `${username}@example.com`,
    ...overrides,
  },
});

let t: TestBackend;
beforeEach(async () => {
  t = await startTestBackend();
}, SETUP_TIMEOUT_MS);
afterEach(() => t.stop());

describe("first admin", () => {
  test("applicationStatus is public and says whether an admin exists", async () => {
    expect((await t.gql(STATUS)).data).toEqual({ applicationStatus: { adminConfigured: false } });
    await createFirstAdmin(t.gql);
    expect((await t.gql(STATUS)).data).toEqual({ applicationStatus: { adminConfigured: true } });
  });

  test("applicationStatus ignores an invalid token", async () => {
    const result = await t.gql(STATUS, {}, "not.a.token");
    expect(result.data).toEqual({ applicationStatus: { adminConfigured: false } });
  });

  test("createAdmin works anonymously once and creates an enabled, non-temporary administrator", async () => {
    const result = await t.gql(CREATE_ADMIN, adminInput("root"));
    expect(result.errors).toBeUndefined();
    expect(result.data.createAdmin).toMatchObject({ username: "root", isAdmin: true, isTemporaryPassword: false });
  });

  test("a second createAdmin is refused, with or without a token", async () => {
    const admin = await createFirstAdmin(t.gql);
    const anonymous = await t.gql(CREATE_ADMIN, adminInput("intruder"));
    expect(codeOf(anonymous)).toBe("FORBIDDEN");
    expect(anonymous.errors?.[0].message).toContain("an admin already exists");
    expect(codeOf(await t.gql(CREATE_ADMIN, adminInput("intruder2"), admin.token))).toBe("FORBIDDEN");
    const rows = await t.database.db.select().from(users);
    expect(rows.map((u) => u.username)).toEqual(["admin"]);
  });

  test("of concurrent createAdmin calls exactly one succeeds", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.gql(CREATE_ADMIN, adminInput(`racer${i}`))),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === "FORBIDDEN").length).toBe(5);
    expect((await t.database.db.select().from(users)).length).toBe(1);
  });

  test("invalid input is BAD_USER_INPUT naming the field, and nothing is stored", async () => {
    for (const [overrides, field] of [
      [{ password: "short" }, "input.password"],
      [{ email: "not-an-email" }, "input.email"],
      [{ username: "x" }, "input.username"],
      [{ username: "has space" }, "input.username"],
      [{ firstName: "  " }, "input.firstName"],
    ] as const) {
      const result = await t.gql(CREATE_ADMIN, adminInput("valid-name", overrides));
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0].extensions?.field).toBe(field);
      expect(result.errors?.[0].message).toContain(field);
    }
    expect(await t.database.db.select().from(users)).toEqual([]);
    expect((await t.gql(STATUS)).data.applicationStatus.adminConfigured).toBe(false);
  });

  test("a missing input field is BAD_USER_INPUT from validation", async () => {
    const result = await t.gql(`mutation { createAdmin(input: { username: "x" }) { id } }`);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
  });
});
