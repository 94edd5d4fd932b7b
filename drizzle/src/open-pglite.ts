/** The embedded database: PGlite in a locked data folder (or in memory) behind drizzle. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { checkChannel } from "./channel.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { executeRows } from "./execute.ts";
import { migratePglite } from "./migrations.ts";
import { once } from "./once.ts";
import * as schema from "./schema/index.ts";
import type { DatabaseHandle } from "./types.ts";

/** In-memory PGlite: no folder, no lock. */
export const isInMemory = (dataDir: string): boolean => dataDir.startsWith("memory://");

/** Opens PGlite in `dataDir` (locked first), loading `loadDataDir` into it when the folder holds no database. */
export async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<DatabaseHandle> {
  const dir = isInMemory(dataDir) ? dataDir : resolve(dataDir);
  const release = isInMemory(dir) ? () => {} : acquireDataDirLock(dir);
  try {
    const fresh = isInMemory(dir) || !existsSync(join(dir, "PG_VERSION"));
    const pg = await PGlite.create({ dataDir: dir, loadDataDir: fresh ? loadDataDir : undefined });
    return pgliteHandle(pg, isInMemory(dir) ? "PGlite in memory" : `PGlite in ${dir}`, release);
  } catch (err) {
    release();
    throw err;
  }
}

/** Wraps an open PGlite; `release` runs after it is closed. */
export function pgliteHandle(pg: PGlite, location: string, release: () => void): DatabaseHandle {
  const db = drizzle({ client: pg, schema });
  return {
    db,
    kind: "pglite",
    location,
    async listen(channel, handler) {
      const quoted = `"${checkChannel(channel)}"`;
      await pg.listen(quoted, handler);
      // PGlite 0.5: the function listen() returns unquotes the name, lowercases it and so misses the handler
      return () => pg.unlisten(quoted, handler);
    },
    async notify(channel, payload) {
      await db.execute(sql`select pg_notify(${checkChannel(channel)}, ${payload})`);
    },
    execute: (query) => executeRows(db, query),
    migrate: () => migratePglite(db),
    close: once(async () => {
      try {
        await pg.close();
      } finally {
        release();
      }
    }),
  };
}
