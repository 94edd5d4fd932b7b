/** Lock files that hold the pid of their owner, so a lock left by a dead process can be recognised. */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";

/** Creates `path` holding our pid; false when it already exists. */
export function tryCreatePidFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in `path`; `undefined` when the file is gone, `NaN` when it holds no pid (yet). */
export function readPidFile(path: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Pid holding the lock, `undefined` when there is none; a file without a pid yet gets a moment for its
 * writer, then counts as stale (pid 0). */
export function lockHolder(path: string): number | undefined {
  let pid = readPidFile(path);
  if (Number.isNaN(pid)) {
    Bun.sleepSync(50);
    pid = readPidFile(path);
  }
  return Number.isNaN(pid) ? 0 : pid;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  // kill(0) and kill(-n) signal process groups, not a process
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes `path` if it still holds our pid. */
export function removeOwnPidFile(path: string): void {
  if (readPidFile(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Moves aside a lock file judged stale (holding `stalePid`). Two processes may judge it stale at once: the
 * loser may have moved the winner's fresh file, so it checks what it moved and puts a fresh one back.
 */
export function removeStalePidFile(path: string, stalePid: number): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = readPidFile(aside);
  if (moved !== stalePid && !Number.isNaN(moved)) {
    try {
      linkSync(aside, path);
    } catch {
      // someone created a new lock meanwhile; theirs stands
    }
  }
  unlinkSync(aside);
}
