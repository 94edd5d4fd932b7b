/**
 * `@fluxgate/drizzle/testing`: migrated databases for tests in a fraction of a second.
 * PGlite always (cloned from a per-machine template); Postgres too when `TEST_DATABASE_URL` or `DATABASE_URL`
 * is set (a fresh `fluxgate_test_*` database, dropped on cleanup).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { once } from "./once.ts";
import { openDatabase } from "./open.ts";
import { migratedTemplate } from "./testing/pglite-template.ts";
import { createScratchDatabase, testServerUrl } from "./testing/postgres-scratch.ts";
import type { DatabaseHandle, DatabaseKind, Db } from "./types.ts";

export { migratedTemplate, templatePath } from "./testing/pglite-template.ts";
export { testServerUrl } from "./testing/postgres-scratch.ts";

export interface TestDatabase {
  kind: DatabaseKind;
  db: Db;
  handle: DatabaseHandle;
  /** Postgres: URL of the scratch database (for a spawned process). */
  url?: string;
  /** Closes it and, on Postgres, drops the scratch database. Safe to call twice. */
  cleanup: () => Promise<void>;
}

/** Backends DB tests should run on: PGlite, plus Postgres when a server URL is set. For `describe.each`. */
export function testDatabaseKinds(): DatabaseKind[] {
  return testServerUrl() ? ["pglite", "postgres"] : ["pglite"];
}

/** A migrated, empty database; `kind` defaults to Postgres when a server URL is set, else PGlite. */
export async function createTestDatabase(options: { kind?: DatabaseKind } = {}): Promise<TestDatabase> {
  const server = testServerUrl();
  const kind = options.kind ?? (server ? "postgres" : "pglite");
  if (kind === "pglite") {
    const handle = await openDatabase({ dataDir: "memory://", loadDataDir: await migratedTemplate(), migrate: false });
    return { kind, db: handle.db, handle, cleanup: handle.close };
  }
  if (!server) throw new Error("a Postgres test database needs TEST_DATABASE_URL or DATABASE_URL");
  const scratch = await createScratchDatabase(server);
  try {
    const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
    const cleanup = once(async () => {
      await handle.close();
      await scratch.drop();
    });
    return { kind, db: handle.db, handle, url: scratch.url, cleanup };
  } catch (err) {
    await scratch.drop();
    throw err;
  }
}

/**
 * Fills `dir` with a migrated PGlite database from the template (no-op when it already holds one), so a
 * backend spawned on it starts without spending seconds on initdb and migrations.
 */
export async function prepareDataDir(dir: string): Promise<void> {
  const dataDir = resolve(dir);
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const handle = await openDatabase({ dataDir, loadDataDir: await migratedTemplate(), migrate: false });
  await handle.close();
}
