import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activityLog } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";
import { createFirstAdmin, createUser, LOGIN, type Session } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

let t: TestBackend;
let admin: Session;
beforeAll(async () => {
  t = await startTestBackend({
    loginLimits: { perUser: { max: 3, windowSeconds: 60 }, perIp: { max: 8, windowSeconds: 60 } },
  });
  admin = await createFirstAdmin(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

const attempt = (username: string, password: string, headers?: Record<string, string>) =>
  t.gql(LOGIN, { input: { username, password } }, undefined, headers);

describe("login", () => {
  test("valid credentials return a JWT, the user and the temporary flag", async () => {
    const user = await createUser(t.gql, admin.token, { temporary: true });
    const result = await attempt(user.username, user.password);
    expect(result.errors).toBeUndefined();
    const { token, isTemporary, user: who, expiresAt } = result.data.login;
    expect(token.split(".")).toHaveLength(3);
    expect(isTemporary).toBe(true);
    expect(who.username).toBe(user.username);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(header).toMatchObject({ alg: "HS256", kid: expect.any(String) });
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "jti", "sub"]);
    expect(claims.sub).toBe(who.id);
  });

  test("two logins give two different tokens", async () => {
    const user = await createUser(t.gql, admin.token);
    const a = await attempt(user.username, user.password);
    const b = await attempt(user.username, user.password);
    expect(a.data.login.token).not.toBe(b.data.login.token);
  });

  test("unknown user and wrong password give the same UNAUTHENTICATED error with HTTP 401", async () => {
    const user = await createUser(t.gql, admin.token);
    const wrong = await attempt(user.username, "wrong-password", { "x-test": "1" });
    const unknown = await attempt("nobody-at-all", "wrong-password");
    for (const result of [wrong, unknown]) {
      expect(codeOf(result)).toBe("UNAUTHENTICATED");
      expect(result.errors?.[0].message).toBe("invalid username or password");
      expect(result.status).toBe(401);
    }
  });

  test("empty username or password is BAD_USER_INPUT", async () => {
    expect(codeOf(await attempt("", "x"))).toBe("BAD_USER_INPUT");
    expect(codeOf(await attempt("someone", ""))).toBe("BAD_USER_INPUT");
    expect(codeOf(await t.gql(`mutation { login(input: {}) { token } }`))).toBe("BAD_USER_INPUT");
  });

  test("a disabled user cannot log in", async () => {
    const user = await createUser(t.gql, admin.token);
    await t.gql(
      `mutation($id: ID!) { updateUser(id: $id, input: { enabled: false }) { id } }`,
      { id: user.userId },
      admin.token,
    );
    const result = await attempt(user.username, user.password);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0].message).toContain("disabled");
  });

  test("after too many failures for one username even the right password is RATE_LIMITED with a retry time", async () => {
    const user = await createUser(t.gql, admin.token);
    for (let i = 0; i < 3; i++) expect(codeOf(await attempt(user.username, "nope-nope"))).toBe("UNAUTHENTICATED");
    const limited = await attempt(user.username, user.password);
    expect(codeOf(limited)).toBe("RATE_LIMITED");
    expect(limited.status).toBe(429);
    expect(limited.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.errors?.[0].extensions?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  test("too many failures from one IP limit every username from that IP", async () => {
    const user = await createUser(t.gql, admin.token);
    // the budget per IP (8) is spent by earlier tests' failures and these attempts, each on a new username
    for (let i = 0; i < 8; i++) await attempt(`spray-${i}`, "guess");
    const limited = await attempt(user.username, user.password);
    expect(codeOf(limited)).toBe("RATE_LIMITED");
  });

  test("logins and failed logins are in the audit log, without passwords", async () => {
    const rows = await t.database.db.select().from(activityLog).where(eq(activityLog.entityType, "user"));
    const types = new Set(rows.map((r) => r.activityType));
    expect(types.has("user_logged_in")).toBe(true);
    expect(types.has("user_login_failed")).toBe(true);
    const text = JSON.stringify(rows);
    expect(text).not.toContain("wrong-password");
    expect(text).not.toContain("argon2");
  });
});
