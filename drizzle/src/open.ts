/** `openDatabase()`: Postgres when a URL is configured, else embedded PGlite in a data folder. */
import { openPglite } from "./open-pglite.ts";
import { openPostgres } from "./open-postgres.ts";
import type { DatabaseHandle, OpenOptions } from "./types.ts";

export const DEFAULT_DATA_DIR = "./.fluxgate/data";

export type DatabaseChoice = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

/** Explicit options win; then `DATABASE_URL`; then `FLUXGATE_DATA_DIR`; then `./.fluxgate/data`. */
export function chooseDatabase(options: OpenOptions = {}, env = process.env): DatabaseChoice {
  if (options.url) return { kind: "postgres", url: options.url };
  if (options.dataDir) return { kind: "pglite", dataDir: options.dataDir };
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  return { kind: "pglite", dataDir: env.FLUXGATE_DATA_DIR || DEFAULT_DATA_DIR };
}

/**
 * Opens the configured database and applies pending migrations (unless `migrate: false`).
 * Throws `DatabaseLockedError` (PGlite folder in use) or `DatabaseUnavailableError` (Postgres unreachable).
 */
export async function openDatabase(options: OpenOptions = {}): Promise<DatabaseHandle> {
  const choice = chooseDatabase(options);
  const handle =
    choice.kind === "postgres"
      ? await openPostgres(choice.url, options.poolSize)
      : await openPglite(choice.dataDir, options.loadDataDir);
  if (options.migrate === false) return handle;
  try {
    await handle.migrate();
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
