/**
 * A throw-away PostgreSQL 15 cluster of our own (initdb into a temp folder, pg_ctl on a free port), so tests can
 * restart or stop Postgres without touching the shared cluster other people's tests use. As root it runs as the
 * `postgres` user (runuser); otherwise as the current user.
 */
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./procs.ts";

const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin"];

function pgBin(name: string): string | undefined {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  const found = Bun.which(name);
  return found ?? undefined;
}

/** Why a temporary cluster cannot be made here, or undefined when it can. */
export function tempPostgresUnavailable(): string | undefined {
  if (!pgBin("initdb") || !pgBin("pg_ctl")) return "initdb/pg_ctl (PostgreSQL 15 server binaries) not found";
  if (process.getuid?.() === 0 && !Bun.which("runuser")) return "running as root without runuser";
  return undefined;
}

export interface TempPostgres {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** pg_ctl restart; `mode` fast (clean) or immediate (crash-like: no checkpoint, recovery on start). */
  restart(mode?: "fast" | "immediate"): Promise<void>;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes the folder. */
  destroy(): Promise<void>;
}

async function run(cmd: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const full = asRoot ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const proc = Bun.spawn(full, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}): ${err || out}`);
  return out;
}

export async function createTempPostgres(): Promise<TempPostgres> {
  const problem = tempPostgresUnavailable();
  if (problem) throw new Error(`no temporary Postgres: ${problem}`);
  const initdb = pgBin("initdb") as string;
  const pgCtl = pgBin("pg_ctl") as string;
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-pg-"));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) {
    const uid = Number((await Bun.$`id -u postgres`.text()).trim());
    const gid = Number((await Bun.$`id -g postgres`.text()).trim());
    chownSync(dir, uid, gid);
  }
  await run([initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const ctl = (...args: string[]) => run([pgCtl, "-D", data, "-l", join(dir, "server.log"), ...args]);
  const start = async () => {
    await ctl("-o", options, "-w", "-t", "60", "start");
  };
  await start();
  let destroyed = false;
  return {
    port,
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    restart: async (mode = "fast") => {
      await ctl("-o", options, "-m", mode, "-w", "-t", "60", "restart");
    },
    stop: async (mode = "fast") => {
      await ctl("-m", mode, "-w", "-t", "60", "stop");
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await ctl("-m", "immediate", "-w", "stop").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
