/** One process per PGlite data folder: a `<dataDir>.lock` file holding the owner's pid. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseLockedError } from "./errors.ts";
import { isProcessAlive, lockHolder, removeOwnPidFile, removeStalePidFile, tryCreatePidFile } from "./pid-file.ts";

const MAX_ATTEMPTS = 5;
/** Folders this process holds, folder → lock path; a lock with our pid not listed here is stale. */
const held = new Map<string, string>();

/** The lock file beside the folder (inside it would be mistaken by PGlite for database files). */
export const lockPathFor = (dataDir: string): string => `${dataDir.replace(/\/+$/, "")}.lock`;

// a process that exits without close() leaves no lock behind (a kill -9 does; it is then found stale)
process.on("exit", () => {
  for (const lockPath of held.values()) removeOwnPidFile(lockPath);
});

/** Locks the absolute `dataDir` for this process or throws `DatabaseLockedError`; returns the release. */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = lockPathFor(dataDir);
  if (held.has(dataDir)) throw new DatabaseLockedError(dataDir, process.pid, lockPath);
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreatePidFile(lockPath)) {
      held.set(dataDir, lockPath);
      return () => release(dataDir, lockPath);
    }
    const holder = lockHolder(lockPath);
    if (holder === undefined) continue;
    // our own pid here is a previous run's (containers reuse pids): stale
    if (holder !== process.pid && isProcessAlive(holder)) {
      throw new DatabaseLockedError(dataDir, holder, lockPath);
    }
    removeStalePidFile(lockPath, holder);
  }
  throw new DatabaseLockedError(dataDir, lockHolder(lockPath) ?? 0, lockPath);
}

function release(dataDir: string, lockPath: string): void {
  if (held.get(dataDir) !== lockPath) return;
  held.delete(dataDir);
  removeOwnPidFile(lockPath);
}
