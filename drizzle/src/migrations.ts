/** The generated migrations: where they are, their fingerprint, and applying them on either driver. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { PgDialect } from "drizzle-orm/pg-core";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePgliteDb } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgresDb } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Schema } from "./types.ts";

/** `drizzle/migrations`, found from this file so any working directory works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

/** In a compiled binary (scripts/build-binaries.ts): the journal and `<tag>.sql` files embedded in the executable. */
interface EmbeddedMigrations {
  journal: string;
  sql: Record<string, string>;
}
const embedded = (): EmbeddedMigrations | undefined =>
  (globalThis as { __FLUXGATE_EMBEDDED__?: { migrations?: EmbeddedMigrations } }).__FLUXGATE_EMBEDDED__?.migrations;
const journalPath = () => embedded()?.journal ?? join(MIGRATIONS_FOLDER, "meta", "_journal.json");
const sqlPath = (tag: string) => embedded()?.sql[tag] ?? join(MIGRATIONS_FOLDER, `${tag}.sql`);

/** Tags of the migrations in journal order, e.g. `0000_init`. */
export function migrationTags(): string[] {
  const journal = JSON.parse(readFileSync(journalPath(), "utf8"));
  return journal.entries.map((entry: { tag: string }) => entry.tag);
}

/** SHA-256 over the journal and every migration, so caches of a migrated database know when they are stale. */
export function migrationsHash(): string {
  const hash = createHash("sha256").update(readFileSync(journalPath()));
  for (const tag of migrationTags()) hash.update(readFileSync(sqlPath(tag)));
  return hash.digest("hex");
}

/** Embedded migrations applied the way drizzle's migrator applies a folder (same hashes, same journal table). */
async function migrateEmbedded(session: unknown): Promise<void> {
  const journal = JSON.parse(readFileSync(journalPath(), "utf8"));
  const migrations: MigrationMeta[] = journal.entries.map(
    (entry: { tag: string; when: number; breakpoints: boolean }) => {
      const query = readFileSync(sqlPath(entry.tag), "utf8");
      return {
        sql: query.split("--> statement-breakpoint"),
        bps: entry.breakpoints,
        folderMillis: entry.when,
        hash: createHash("sha256").update(query).digest("hex"),
      };
    },
  );
  const pgSession = session as Parameters<PgDialect["migrate"]>[1];
  await new PgDialect().migrate(migrations, pgSession, { migrationsFolder: "(embedded)" });
}

/** Applies pending migrations on PGlite (the folder lock already keeps other processes out). */
export async function migratePglite(db: PgliteDatabase<Schema>): Promise<void> {
  if (embedded()) await migrateEmbedded(db._.session);
  else await migratePgliteDb(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Applies pending migrations on Postgres. Replicas starting together would race on the migrations
 * table, so a session advisory lock (held on its own connection) lets one migrate while the others wait.
 */
export async function migratePostgres(db: PostgresJsDatabase<Schema>, url: string): Promise<void> {
  const lock = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "fluxgate-migrate" } });
  try {
    await lock`select pg_advisory_lock(hashtext('fluxgate:migrations'))`;
    if (embedded()) await migrateEmbedded(db._.session);
    else await migratePostgresDb(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    // ending the session releases the advisory lock
    await lock.end({ timeout: 5 });
  }
}
