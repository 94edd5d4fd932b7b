/** The generated migrations: where they are, their fingerprint, and applying them on either driver. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePgliteDb } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgresDb } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Schema } from "./types.ts";

/** `drizzle/migrations`, found from this file so any working directory works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

/** Tags of the migrations in journal order, e.g. `0000_init`. */
export function migrationTags(): string[] {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"));
  return journal.entries.map((entry: { tag: string }) => entry.tag);
}

/** SHA-256 over the journal and every migration, so caches of a migrated database know when they are stale. */
export function migrationsHash(): string {
  const hash = createHash("sha256").update(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json")));
  for (const tag of migrationTags()) hash.update(readFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`)));
  return hash.digest("hex");
}

/** Applies pending migrations on PGlite (the folder lock already keeps other processes out). */
export async function migratePglite(db: PgliteDatabase<Schema>): Promise<void> {
  await migratePgliteDb(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Applies pending migrations on Postgres. Replicas starting together would race on the migrations
 * table, so a session advisory lock (held on its own connection) lets one migrate while the others wait.
 */
export async function migratePostgres(db: PostgresJsDatabase<Schema>, url: string): Promise<void> {
  const lock = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "fluxgate-migrate" } });
  try {
    await lock`select pg_advisory_lock(hashtext('fluxgate:migrations'))`;
    await migratePostgresDb(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    // ending the session releases the advisory lock
    await lock.end({ timeout: 5 });
  }
}
