import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { isAbsolute } from "node:path";
import { sql } from "drizzle-orm";
import { MIGRATIONS_FOLDER, migrationsHash, migrationTags, openDatabase } from "../src/index.ts";
import * as schema from "../src/schema/index.ts";
import { createScratchDatabase } from "../src/testing/postgres-scratch.ts";
import { createTestDatabase, testDatabaseKinds, testServerUrl } from "../src/testing.ts";
import type { DatabaseHandle } from "../src/types.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

async function applied(handle: Pick<DatabaseHandle, "execute">): Promise<number> {
  const [row] = await handle.execute<{ n: string }>(sql`select count(*) as n from drizzle.__drizzle_migrations`);
  return Number(row.n);
}

describe("the migrations folder", () => {
  test("is found from the package, whatever the working directory", () => {
    expect(isAbsolute(MIGRATIONS_FOLDER)).toBe(true);
    expect(MIGRATIONS_FOLDER).toEndWith("/drizzle/migrations");
  });

  test("lists every SQL file in the journal, in order, with the seeded roles second", () => {
    const files = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql"));
    expect(migrationTags().map((tag) => `${tag}.sql`)).toEqual(files.sort());
    expect(migrationTags()[1]).toBe("0001_seed_roles");
  });

  test("has a stable fingerprint", () => {
    expect(migrationsHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationsHash()).toBe(migrationsHash());
  });
});

describe.each(testDatabaseKinds())("migrating %s", (kind) => {
  test("a migrated database migrates again without error and without re-applying anything", async () => {
    const t = await createTestDatabase({ kind });
    try {
      await t.handle.migrate();
      await t.handle.migrate();
      expect(await applied(t.handle)).toBe(migrationTags().length);
      const roles = await t.db.select().from(schema.roles);
      expect(roles.map((r) => r.name).sort()).toEqual(["Approver", "Requester", "Team Admin", "Viewer"]);
    } finally {
      await t.cleanup();
    }
  });
});

// PGlite from nothing is what building the test template does, and its key is the migrations' hash, so every
// change to the migrations is applied to an empty PGlite on each machine that runs these tests.
describe("migrating from nothing", () => {
  const server = testServerUrl();
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  test.skipIf(!server)("two replicas starting together on an empty Postgres both succeed (advisory lock)", async () => {
    const scratch = await createScratchDatabase(server!);
    drops.push(scratch.drop);
    const replicas = await Promise.all(
      [1, 2].map(() => openDatabase({ url: scratch.url, migrate: false, poolSize: 2 })),
    );
    try {
      await Promise.all(replicas.map((r) => r.migrate()));
      expect(await applied(replicas[0])).toBe(migrationTags().length);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});
