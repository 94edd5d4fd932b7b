/**
 * Child processes of a scenario: servers pinned to one core, load generators to the other (`taskset`), started
 * and awaited by a line they print, always stopped when the scenario ends (also on SIGTERM from the orchestrator).
 */
import { availableParallelism } from "node:os";

export const CORES = availableParallelism();
const TASKSET = Bun.which("taskset") !== null && CORES >= 2;
/** Servers under test run here... */
export const SERVER_CORE = "0";
/** ...and load generators here, so the two never share a core. */
export const LOAD_CORE = String(Math.min(1, CORES - 1));

export function pinningNote(): string {
  return TASKSET
    ? `servers pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE} (taskset)`
    : "not pinned (no taskset or one core): server and load generator share the CPU";
}

export function pinned(core: string, command: string[]): string[] {
  return TASKSET ? ["taskset", "-c", core, ...command] : command;
}

export interface Child {
  /** What `ready` matched (its first group). */
  ready: string;
  pid: number;
  /** Milliseconds from spawn to the ready line. */
  startMs: number;
  /** Everything the child printed so far (the last 64 kB). */
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<Bun.Subprocess>();
let hooked = false;

/** Children die with the scenario: on exit, and on SIGTERM/SIGINT (which then exit). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(130));
}

export interface SpawnOptions {
  core?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Spawns `command` and resolves once its stdout or stderr matches `ready`. */
export async function spawnServer(command: string[], ready: RegExp, options: SpawnOptions = {}): Promise<Child> {
  hookExit();
  const started = performance.now();
  const child = Bun.spawn(options.core === undefined ? command : pinned(options.core, command), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdout: "pipe",
    stderr: "pipe",
  });
  live.add(child);
  let seen = "";
  let readyAt = 0;
  const decoder = new TextDecoder();
  const found = new Promise<string>((resolve, reject) => {
    const scan = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        seen = (seen + decoder.decode(chunk, { stream: true })).slice(-65_536);
        const match = ready.exec(seen);
        if (match && !readyAt) {
          readyAt = performance.now();
          resolve(match[1] ?? match[0]);
        }
      }
    };
    void scan(child.stdout);
    void scan(child.stderr);
    void child.exited.then((code) => reject(new Error(`${command.join(" ")} exited ${code}:\n${seen.slice(-2000)}`)));
  });
  const timeout = options.timeoutMs ?? 30_000;
  let timer: Timer | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${command.join(" ")}: not ready in ${timeout} ms\n${seen}`)), timeout);
  });
  try {
    const match = await Promise.race([found, expired]);
    return {
      ready: match,
      pid: child.pid,
      startMs: readyAt - started,
      output: () => seen,
      stop: () => stop(child),
    };
  } catch (error) {
    await stop(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function stop(child: Bun.Subprocess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await Promise.race([child.exited, Bun.sleep(12_000)]);
    child.kill("SIGKILL");
    await child.exited;
  }
  live.delete(child);
}

/** Runs a command to completion (pinned if `core` is given) and returns its output and exit code. */
export async function runCommand(
  command: string[],
  options: SpawnOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  hookExit();
  const child = Bun.spawn(options.core === undefined ? command : pinned(options.core, command), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdout: "pipe",
    stderr: "pipe",
  });
  live.add(child);
  let timer: Timer | undefined;
  if (options.timeoutMs) timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  live.delete(child);
  return { code, stdout, stderr };
}

/** Resident set size of a process, in MB. */
export async function rssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
