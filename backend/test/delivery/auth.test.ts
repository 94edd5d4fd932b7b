/**
 * Client authentication's caches, over a test database: a bare secret (empty client_id) is found by its hash once
 * and then answered from memory, positive and negative alike, the caches stay bounded under a flood of random
 * secrets, and a client change invalidates what was cached about it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "@fluxgate/drizzle";
import { createTestDatabase, type TestDatabase } from "@fluxgate/drizzle/testing";
import { ClientAuthenticator } from "../../src/delivery/auth.ts";
import { DeliveryError } from "../../src/delivery/errors.ts";
import { type ClientFixture, createClient, createTeam, setClientEnabled } from "./fixtures.ts";

let database: TestDatabase;
let client: ClientFixture;
/** Queries started through the counting handle. */
let queries = 0;
let counted: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  const team = await createTeam(database.db);
  client = await createClient(database.db, team.teamId);
  counted = new Proxy(database.db, {
    get(target, property, receiver) {
      if (property === "select") queries++;
      return Reflect.get(target, property, receiver);
    },
  });
}, 30_000);

afterAll(() => database?.cleanup());

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof DeliveryError ? error.code : String(error);
  }
};

describe("bare-secret authentication", () => {
  test("finds the client by its secret's hash once, then answers from the cache (concurrent callers share it)", async () => {
    const auth = new ClientAuthenticator(counted, 60_000);
    const before = queries;
    const found = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate("", client.secret)));
    expect(found.every((c) => c.id === client.id)).toBe(true);
    const afterFirst = queries;
    expect(afterFirst - before).toBeGreaterThanOrEqual(1);
    expect(afterFirst - before).toBeLessThanOrEqual(2); // the client row and its origins
    for (let i = 0; i < 20; i++) await auth.authenticate("", client.secret);
    expect(queries).toBe(afterFirst);
  });

  test("an unknown secret is UNAUTHENTICATED, and asking again is answered from the negative cache", async () => {
    const auth = new ClientAuthenticator(counted, 60_000);
    const before = queries;
    for (let i = 0; i < 5; i++) expect(await codeOf(auth.authenticate("", "fgs_unknown"))).toBe("UNAUTHENTICATED");
    expect(queries - before).toBe(1);
  });

  test("a flood of distinct random secrets leaves the cache bounded", async () => {
    const auth = new ClientAuthenticator(counted, 60_000, 50);
    for (let i = 0; i < 200; i++) {
      expect(await codeOf(auth.authenticate("", `fgs_random${i}`))).toBe("UNAUTHENTICATED");
      expect(auth.cacheSizes.bySecretHash).toBeLessThanOrEqual(50);
    }
    expect(auth.cacheSizes.byId).toBe(0);
  });

  test("a client change invalidates the cached answer for its secret", async () => {
    const auth = new ClientAuthenticator(counted, 60_000);
    const other = await createClient(database.db, (await createTeam(database.db)).teamId);
    expect(await codeOf(auth.authenticate("", other.secret))).toBe("ok");
    await setClientEnabled(database.db, other.id, false);
    expect(await codeOf(auth.authenticate("", other.secret))).toBe("ok"); // cached for the TTL
    auth.invalidate(other.id); // what the change feed does for a client change
    expect(await codeOf(auth.authenticate("", other.secret))).toBe("PERMISSION_DENIED");
  });
});
