/**
 * Real processes for fault, fuzz and soak tests: the backend (`bun backend/src/main.ts`) and the edge
 * (`bun edge/src/main.ts`) on loopback ports, with their output kept, signals (kill -9, SIGSTOP/SIGCONT), RSS,
 * and a registry so every process a test file started is killed (by pid) when it ends, even on failure.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

export const REPO = resolve(import.meta.dir, "../../..");
const BACKEND_MAIN = join(REPO, "backend/src/main.ts");
const EDGE_MAIN = join(REPO, "edge/src/main.ts");

/** A loopback port that was free a moment ago. */
export function freePort(): number {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = socket.port;
  socket.stop(true);
  return port;
}

/** A fresh temporary folder; `removeTempDirs()` deletes every one made here. */
const tempDirs: string[] = [];
export function tempDir(prefix = "fluxgate-rel-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Resident set size of a process in MiB, or undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]);
    return Number.isFinite(kib) ? Math.round((kib / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

export interface ManagedProcess {
  name: string;
  pid: number;
  /** The last lines of stdout and stderr (at most `keepLines`). */
  lines: string[];
  exitCode: number | null;
  exited: Promise<number>;
  alive(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** kill -9 and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (SIGCONT first, in case it is stopped); SIGKILL after `timeoutMs`. Returns the exit code. */
  terminate(timeoutMs?: number): Promise<number>;
  rss(): number | undefined;
  /** Resolves with the first output line (past or future) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

const running = new Set<ManagedProcess>();

// a test runner that dies leaves no servers behind
process.on("exit", () => {
  for (const p of running) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
});

/** Kills (by pid) every process started through this module that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.terminate(3_000)));
}

export function spawnManaged(
  name: string,
  cmd: string[],
  options: { env: Record<string, string>; cwd?: string; keepLines?: number },
): ManagedProcess {
  const keep = options.keepLines ?? 400;
  const child: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(cmd, {
    cwd: options.cwd,
    env: options.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const watchers = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for await (const chunk of stream) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline = buffered.indexOf("\n");
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
          lines.push(line);
          if (lines.length > keep) lines.splice(0, lines.length - keep);
          for (const w of watchers) {
            if (w.pattern.test(line)) {
              watchers.delete(w);
              w.resolve(line);
            }
          }
        }
      }
    } catch {
      // the process went away
    }
  };
  void pump(child.stdout);
  void pump(child.stderr);
  const managed: ManagedProcess = {
    name,
    pid: child.pid,
    lines,
    exitCode: null,
    exited: child.exited,
    alive: () => managed.exitCode === null,
    signal: (signal) => {
      if (managed.exitCode === null) child.kill(signal);
    },
    kill9: async () => {
      if (managed.exitCode === null) child.kill("SIGKILL");
      await child.exited;
    },
    terminate: async (timeoutMs = 10_000) => {
      if (managed.exitCode !== null) return managed.exitCode;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await child.exited;
      clearTimeout(timer);
      return code;
    },
    rss: () => (managed.exitCode === null ? rssMiB(child.pid) : undefined),
    waitForLine: (pattern, timeoutMs) => {
      const past = lines.find((l) => pattern.test(l));
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const watcher = { pattern, resolve };
        watchers.add(watcher);
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`${name}: no line matching ${pattern} in ${timeoutMs} ms; last output:\n${tail(lines)}`));
        }, timeoutMs);
        child.exited.then(() => {
          if (!watchers.has(watcher)) return;
          watchers.delete(watcher);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${child.exitCode}) before printing ${pattern}:\n${tail(lines)}`));
        });
        const done = watcher.resolve;
        watcher.resolve = (line) => {
          clearTimeout(timer);
          done(line);
        };
      });
    },
  };
  running.add(managed);
  child.exited.then((code) => {
    managed.exitCode = code;
    running.delete(managed);
  });
  return managed;
}

export const tail = (lines: string[], n = 15): string => lines.slice(-n).join("\n");

const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
});

/** An error that stops `eventually` at once (e.g. the process under test died). */
export function fatal(message: string): Error {
  return Object.assign(new Error(message), { fatal: true });
}

/** Polls until `check` returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await Bun.sleep(intervalMs);
  }
}

export interface BackendOptions {
  name?: string;
  httpPort?: number;
  grpcPort?: number;
  /** PGlite data folder (prepared with `prepareDataDir` for a fast start); ignored with `databaseUrl`. */
  dataDir?: string;
  databaseUrl?: string;
  /** Seed the demo team and write its client's credentials there. */
  demoClientFile?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  keepLines?: number;
}

export interface BackendProcess extends ManagedProcess {
  url: string;
  httpPort: number;
  grpcPort: number;
  /** `http://127.0.0.1:<grpcPort>`, what an edge's EDGE_BACKEND_GRPC takes. */
  grpcUrl: string;
  options: BackendOptions;
}

/** Starts `bun backend/src/main.ts` (in an empty folder, so no stray config.toml is read) and waits for /health. */
export async function spawnBackend(options: BackendOptions): Promise<BackendProcess> {
  const httpPort = options.httpPort ?? freePort();
  const grpcPort = options.grpcPort ?? freePort();
  const env: Record<string, string> = {
    ...baseEnv(),
    FLUXGATE_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    FLUXGATE_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
    FLUXGATE_LOG_LEVEL: options.logLevel ?? "warn",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.dataDir && !options.databaseUrl ? { FLUXGATE_DATA_DIR: options.dataDir } : {}),
    ...(options.demoClientFile ? { FLUXGATE_DEMO_SEED: "1", FLUXGATE_DEMO_CLIENT_FILE: options.demoClientFile } : {}),
    ...options.env,
  };
  const cwd = tempDir("fluxgate-backend-cwd-");
  const managed = spawnManaged(options.name ?? "backend", [process.execPath, BACKEND_MAIN], {
    env,
    cwd,
    keepLines: options.keepLines,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const backend: BackendProcess = Object.assign(managed, {
    url,
    httpPort,
    grpcPort,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    options: { ...options, httpPort, grpcPort },
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (!managed.alive()) throw new Error(`${backend.name} exited with ${managed.exitCode}:\n${tail(managed.lines)}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return backend;
    if (Date.now() > deadline) {
      await managed.kill9();
      throw new Error(`${backend.name} not healthy in time:\n${tail(managed.lines)}`);
    }
    await Bun.sleep(100);
  }
}

/** The same backend again (same ports, same data), e.g. after kill -9. */
export function respawnBackend(previous: BackendProcess): Promise<BackendProcess> {
  return spawnBackend(previous.options);
}

export interface EdgeOptions {
  name?: string;
  backendGrpc: string;
  clientId: string;
  clientSecret: string;
  httpPort?: number;
  /** Snapshot file (default: a new temp folder's `edge-snapshot.json`; "off" for none). */
  snapshotPath?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  env?: Record<string, string>;
  keepLines?: number;
}

export interface EdgeProcess extends ManagedProcess {
  url: string;
  httpPort: number;
  snapshotPath: string;
  options: EdgeOptions;
  health(): Promise<EdgeHealth>;
}

export interface EdgeHealth {
  httpStatus: number;
  status?: string;
  connected?: boolean;
  version?: number;
  flags?: number;
  staleness_seconds?: number;
}

/** Starts `bun edge/src/main.ts` and waits until it listens (not until it holds a store: see `waitReady`). */
export async function spawnEdge(options: EdgeOptions): Promise<EdgeProcess> {
  const httpPort = options.httpPort ?? freePort();
  const snapshotPath = options.snapshotPath ?? join(tempDir("fluxgate-edge-"), "edge-snapshot.json");
  const env: Record<string, string> = {
    ...baseEnv(),
    EDGE_BACKEND_GRPC: options.backendGrpc,
    EDGE_CLIENT_ID: options.clientId,
    EDGE_CLIENT_SECRET: options.clientSecret,
    EDGE_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    EDGE_SNAPSHOT_PATH: snapshotPath,
    EDGE_SNAPSHOT_WRITE_DEBOUNCE_MS: "100",
    EDGE_LOG_LEVEL: options.logLevel ?? "info",
    ...options.env,
  };
  const managed = spawnManaged(options.name ?? "edge", [process.execPath, EDGE_MAIN], {
    env,
    cwd: REPO,
    keepLines: options.keepLines,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await managed.waitForLine(/"edge listening"/, 30_000);
  } catch (error) {
    await managed.kill9();
    throw error;
  }
  return Object.assign(managed, {
    url,
    httpPort,
    snapshotPath,
    options: { ...options, httpPort, snapshotPath },
    health: async (): Promise<EdgeHealth> => {
      const response = await fetch(`${url}/health`);
      const body = (await response.json().catch(() => ({}))) as Omit<EdgeHealth, "httpStatus">;
      return { httpStatus: response.status, ...body };
    },
  });
}

/** The same edge again (same port, same snapshot file). */
export function respawnEdge(previous: EdgeProcess): Promise<EdgeProcess> {
  return spawnEdge(previous.options);
}

/** Waits until the edge holds a store (and, with `connected`, has its stream up). */
export async function waitReady(
  edge: EdgeProcess,
  options: { connected?: boolean; timeoutMs?: number } = {},
): Promise<EdgeHealth> {
  return eventually<EdgeHealth | undefined>(
    async () => {
      const h = await edge.health();
      return h.httpStatus === 200 && (!options.connected || h.connected === true) ? h : undefined;
    },
    `${edge.name} ready${options.connected ? " and connected" : ""}`,
    options.timeoutMs ?? 30_000,
    100,
  ) as Promise<EdgeHealth>;
}
