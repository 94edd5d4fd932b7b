import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { generateClientSecret, openDatabase, teams } from "../src/index.ts";
import { createTestDatabase, prepareDataDir, templatePath, testServerUrl } from "../src/testing.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

describe("test databases", () => {
  test("a PGlite test database is migrated, empty and independent of the next one", async () => {
    const a = await createTestDatabase({ kind: "pglite" });
    const b = await createTestDatabase({ kind: "pglite" });
    try {
      expect(existsSync(templatePath())).toBe(true);
      await a.db.insert(teams).values({ name: "only in a" });
      expect(await a.db.$count(teams)).toBe(1);
      expect(await b.db.$count(teams)).toBe(0);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  const server = testServerUrl();
  test.skipIf(!server)("a Postgres test database is a fresh fluxgate_test_* database, dropped on cleanup", async () => {
    const t = await createTestDatabase({ kind: "postgres" });
    const name = new URL(t.url!).pathname.slice(1);
    expect(name).toMatch(/^fluxgate_test_[0-9a-f]{12}$/);
    expect(await t.db.$count(teams)).toBe(0);
    await t.cleanup();
    await t.cleanup();
    const sql = postgres(server!, { max: 1 });
    try {
      expect(await sql`select 1 from pg_database where datname = ${name}`).toHaveLength(0);
    } finally {
      await sql.end();
    }
  });
});

describe("prepareDataDir", () => {
  test("fills a folder with a migrated database that opens with nothing left to apply", async () => {
    const root = mkdtempSync(join(tmpdir(), "fluxgate-prepare-"));
    try {
      const dataDir = join(root, "nested", "data");
      await prepareDataDir(dataDir);
      await prepareDataDir(dataDir);
      const handle = await openDatabase({ dataDir });
      try {
        expect(await handle.db.$count(teams)).toBe(0);
        expect(handle.location).toBe(`PGlite in ${dataDir}`);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("client secrets", () => {
  test("are fgs_ plus 40 base62 characters, different every time, using the whole alphabet", () => {
    const secrets = Array.from({ length: 200 }, generateClientSecret);
    for (const secret of secrets) expect(secret).toMatch(/^fgs_[0-9A-Za-z]{40}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(new Set(secrets.map((secret) => secret.slice(4)).join("")).size).toBe(62);
  });
});
