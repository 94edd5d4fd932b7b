/**
 * The last good state on disk (`EDGE_SNAPSHOT_PATH`), so the edge can start and serve without the backend:
 * every team's snapshot and the clients known for them (by secret hash, never the secret). Written to a
 * temporary file and renamed over the old one, so a crash mid-write never leaves a torn file.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ClientInfo } from "../auth/clients.ts";
import type { Snapshot } from "./engine.ts";

export const SNAPSHOT_FORMAT = "fluxgate-edge-snapshot/1";

export interface StoredClient extends ClientInfo {
  secretSha256: string;
}

export interface EdgeSnapshotFile {
  format: typeof SNAPSHOT_FORMAT;
  savedAtMs: number;
  clients: StoredClient[];
  teams: Snapshot[];
}

export class SnapshotFileError extends Error {
  constructor(path: string, problem: string) {
    super(`snapshot file ${path}: ${problem}`);
    this.name = "SnapshotFileError";
  }
}

/**
 * Reads the file: the edge's own format, or a bare engine `Snapshot` (one team, served to the configured
 * client). Undefined when the file does not exist.
 */
export async function readSnapshotFile(path: string): Promise<EdgeSnapshotFile | undefined> {
  const file = Bun.file(path);
  if (!(await file.exists())) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(await file.text());
  } catch (error) {
    throw new SnapshotFileError(path, `not JSON (${error instanceof Error ? error.message : error})`);
  }
  if (!isObject(data)) throw new SnapshotFileError(path, "not a JSON object");
  if (data.format === SNAPSHOT_FORMAT) {
    if (!Array.isArray(data.teams) || !Array.isArray(data.clients)) {
      throw new SnapshotFileError(path, "teams and clients must be arrays");
    }
    return data as unknown as EdgeSnapshotFile;
  }
  if (Array.isArray(data.flags) && typeof data.version === "number") {
    const stat = await file.stat();
    const snapshot = { environments: [], ...data } as unknown as Snapshot;
    return { format: SNAPSHOT_FORMAT, savedAtMs: stat.mtimeMs, clients: [], teams: [snapshot] };
  }
  throw new SnapshotFileError(path, `neither a "${SNAPSHOT_FORMAT}" file nor a snapshot with version and flags`);
}

/** The file's JSON from its clients and each team's snapshot JSON (flags are not serialized again). */
export function snapshotFileJson(savedAtMs: number, clients: StoredClient[], teamJson: string[]): string {
  const head = JSON.stringify({ format: SNAPSHOT_FORMAT, savedAtMs, clients });
  return `${head.slice(0, -1)},"teams":[${teamJson.join(",")}]}`;
}

/** Writes atomically: temp file in the same folder, then rename. */
export async function writeSnapshotFile(path: string, json: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, json, { mode: 0o600 });
  await rename(temp, path);
}

/** Coalesces write requests: at most one write per `debounceMs`, always of the latest state. */
export class DebouncedWriter {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly path: string,
    private readonly debounceMs: number,
    private readonly content: () => string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a write soon. */
  schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
  }

  /** Writes now when something changed since the last write; waits for it. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = writeSnapshotFile(this.path, this.content()).catch(this.onError);
    await this.writing;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
