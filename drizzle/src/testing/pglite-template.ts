/**
 * A migrated PGlite data folder as a tarball, built once per machine: a fresh PGlite plus migrations costs
 * ~2 s and ~1 GB, loading the tarball ~0.35 s. Keyed by the migrations and the PGlite version, so a new
 * migration or PGlite upgrade builds a new one; a lock file keeps parallel test processes from building twice.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migratePglite, migrationsHash } from "../migrations.ts";
import { isProcessAlive, lockHolder, removeOwnPidFile, removeStalePidFile, tryCreatePidFile } from "../pid-file.ts";
import * as schema from "../schema/index.ts";

const BUILD_TIMEOUT_MS = 120_000;
let cached: Blob | undefined;

/** Version of the installed PGlite: its data folders are only readable by the same Postgres build. */
function pgliteVersion(): string {
  const entry = Bun.resolveSync("@electric-sql/pglite", import.meta.dir);
  return JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version;
}

/** Where this machine keeps the template for the current migrations. */
export function templatePath(): string {
  const key = createHash("sha256").update(`${pgliteVersion()}\n${migrationsHash()}`).digest("hex").slice(0, 16);
  return join(tmpdir(), `fluxgate-pglite-template-${key}.tar`);
}

/** The migrated template (built on first use on this machine), for `PGlite({ loadDataDir })`. */
export async function migratedTemplate(): Promise<Blob> {
  if (cached) return cached;
  const path = templatePath();
  if (!existsSync(path)) await buildOnce(path);
  cached = new Blob([await Bun.file(path).arrayBuffer()]);
  return cached;
}

/** Builds the template unless another process is already doing so, in which case waits for it. */
async function buildOnce(path: string): Promise<void> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (!existsSync(path)) {
    if (tryCreatePidFile(lock)) {
      try {
        if (!existsSync(path)) await build(path);
      } finally {
        removeOwnPidFile(lock);
      }
      return;
    }
    const holder = lockHolder(lock);
    if (holder !== undefined && !isProcessAlive(holder)) removeStalePidFile(lock, holder);
    if (Date.now() > deadline) throw new Error(`timed out waiting for process ${holder} to build ${path}`);
    await Bun.sleep(100);
  }
}

async function build(path: string): Promise<void> {
  const pg = await PGlite.create();
  try {
    await migratePglite(drizzle({ client: pg, schema }));
    const tmp = `${path}.${process.pid}.tmp`;
    await Bun.write(tmp, await pg.dumpDataDir("none"));
    // readers only ever see a complete file
    renameSync(tmp, path);
  } finally {
    await pg.close();
  }
}
