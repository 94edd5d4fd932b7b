import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createFirstAdmin, createUser, login, type Session } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const TTL_SECONDS = 3;
const ME = `{ me { id username } }`;
const KEYS = `{ jwtSecretStatus { id isActive verifyUntil secretPreview } }`;

let t: TestBackend;
let admin: Session;
beforeAll(async () => {
  t = await startTestBackend({ tokenTtlSeconds: TTL_SECONDS });
  admin = await createFirstAdmin(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

/** Tokens live 3 s here: each step logs the admin in afresh. */
const adminToken = () => login(t.gql, admin.username, admin.password);
const meAs = (token: string) => t.gql(ME, {}, token);
const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
const header = (token: string) => JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());

describe("tokens", () => {
  test("a valid token identifies the caller", async () => {
    const result = await meAs(await adminToken());
    expect(result.data.me.username).toBe("admin");
  });

  test("a token signed with another secret is UNAUTHENTICATED (HTTP 401)", async () => {
    const real = await adminToken();
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: header(real).kid })
      .setSubject(admin.userId)
      .setJti(claims(real).jti)
      .setIssuer("fluxgate")
      .setAudience("fluxgate")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("x".repeat(32)));
    const result = await meAs(forged);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(result.status).toBe(401);
  });

  test("a tampered payload is refused", async () => {
    const real = await adminToken();
    const [h, p, s] = real.split(".");
    const payload = Buffer.from(JSON.stringify({ ...claims(real), sub: crypto.randomUUID() })).toString("base64url");
    expect(p).not.toBe(payload);
    expect(codeOf(await meAs(`${h}.${payload}.${s}`))).toBe("UNAUTHENTICATED");
  });

  test("garbage, a missing Bearer prefix and a token in the query string are UNAUTHENTICATED", async () => {
    expect(codeOf(await meAs("garbage"))).toBe("UNAUTHENTICATED");
    const real = await adminToken();
    expect(codeOf(await t.gql(ME, {}, undefined, { authorization: real }))).toBe("UNAUTHENTICATED");
    const viaQuery = await fetch(`${t.url}/graphql?token=${real}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: ME }),
    });
    expect(viaQuery.status).toBe(401);
  });

  test("an expired token is UNAUTHENTICATED", async () => {
    const user = await createUser(t.gql, await adminToken());
    expect((await meAs(user.token)).data?.me.id).toBe(user.userId);
    await Bun.sleep((TTL_SECONDS + 1) * 1000);
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
  }, 20_000);

  test("logoutCurrent ends only the presented session", async () => {
    const user = await createUser(t.gql, await adminToken());
    const other = await login(t.gql, user.username, user.password);
    expect((await t.gql(`mutation { logoutCurrent }`, {}, user.token)).data).toEqual({ logoutCurrent: true });
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
    expect((await meAs(other)).data?.me.id).toBe(user.userId);
  });

  test("logout ends every session of the caller", async () => {
    const user = await createUser(t.gql, await adminToken());
    const other = await login(t.gql, user.username, user.password);
    expect((await t.gql(`mutation { logout }`, {}, user.token)).data).toEqual({ logout: true });
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
    expect(codeOf(await meAs(other))).toBe("UNAUTHENTICATED");
  });

  test("logout without a token is UNAUTHENTICATED", async () => {
    expect(codeOf(await t.gql(`mutation { logout }`))).toBe("UNAUTHENTICATED");
  });

  test("disabling a user ends their sessions at once", async () => {
    const user = await createUser(t.gql, await adminToken());
    await t.gql(
      `mutation($id: ID!) { updateUser(id: $id, input: { enabled: false }) { id } }`,
      { id: user.userId },
      await adminToken(),
    );
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
  });

  test("role changes apply to the next request, not after re-login", async () => {
    const user = await createUser(t.gql, await adminToken());
    expect(codeOf(await t.gql(`{ jwtSecretStatus { id } }`, {}, user.token))).toBe("FORBIDDEN");
    await t.gql(
      `mutation($id: ID!) { updateUser(id: $id, input: { isAdmin: true }) { id } }`,
      { id: user.userId },
      await adminToken(),
    );
    expect((await t.gql(`{ jwtSecretStatus { id } }`, {}, user.token)).errors).toBeUndefined();
  });
});

describe("signing keys", () => {
  test("jwtSecretStatus shows a fingerprint, never the secret, and only to administrators", async () => {
    const user = await createUser(t.gql, await adminToken());
    expect(codeOf(await t.gql(KEYS, {}, user.token))).toBe("FORBIDDEN");
    const keys = (await t.gql(KEYS, {}, await adminToken())).data.jwtSecretStatus;
    expect(keys.filter((k: { isActive: boolean }) => k.isActive)).toHaveLength(1);
    for (const key of keys) expect(key.secretPreview).toMatch(/^sha256:[0-9a-f]{12}$/);
  });

  test("rotation keeps existing tokens valid until they expire, and new tokens use the new key", async () => {
    const user = await createUser(t.gql, await adminToken());
    const before = await adminToken();
    const rotated = await t.gql(`mutation { generateJwtSecret { id isActive verifyUntil } }`, {}, before);
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data.generateJwtSecret.isActive).toBe(true);
    // tokens signed by the retired key still work
    expect((await meAs(user.token)).data?.me.id).toBe(user.userId);
    expect((await meAs(before)).data?.me.username).toBe("admin");
    const after = await login(t.gql, user.username, user.password);
    expect(header(after).kid).toBe(rotated.data.generateJwtSecret.id);
    expect(header(after).kid).not.toBe(header(user.token).kid);
    const keys = (await t.gql(KEYS, {}, before)).data.jwtSecretStatus;
    const retired = keys.find((k: { id: string }) => k.id === header(user.token).kid);
    expect(retired.isActive).toBe(false);
    // the grace is the token lifetime: every token the old key signed expires before the key stops verifying
    expect(new Date(retired.verifyUntil).getTime()).toBeGreaterThanOrEqual(claims(user.token).exp * 1000);
    await Bun.sleep((TTL_SECONDS + 1) * 1000);
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
  }, 20_000);

  test("deactivateAllJwtSecrets revokes every session but nobody is locked out", async () => {
    const user = await createUser(t.gql, await adminToken());
    const token = await adminToken();
    const result = await t.gql(`mutation { deactivateAllJwtSecrets }`, {}, token);
    expect(result.data).toEqual({ deactivateAllJwtSecrets: true });
    expect(codeOf(await meAs(user.token))).toBe("UNAUTHENTICATED");
    expect(codeOf(await meAs(token))).toBe("UNAUTHENTICATED");
    const again = await login(t.gql, user.username, user.password);
    expect((await meAs(again)).data?.me.id).toBe(user.userId);
    const keys = (await t.gql(KEYS, {}, await adminToken())).data.jwtSecretStatus;
    expect(keys.filter((k: { isActive: boolean }) => k.isActive)).toHaveLength(1);
  });

  test("only administrators rotate or revoke keys", async () => {
    const user = await createUser(t.gql, await adminToken());
    expect(codeOf(await t.gql(`mutation { generateJwtSecret { id } }`, {}, user.token))).toBe("FORBIDDEN");
    expect(codeOf(await t.gql(`mutation { deactivateAllJwtSecrets }`, {}, user.token))).toBe("FORBIDDEN");
  });
});
