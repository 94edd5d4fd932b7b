/**
 * System-test support: the real delivery gRPC server over a test database (in this process, since an
 * in-memory PGlite lives here), and the edge as a separate `bun edge/src/main.ts` process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@fluxgate/drizzle/testing";
import { type Delivery, type DeliveryOptions, startDelivery } from "../../../backend/src/delivery/index.ts";

export { eventually } from "./eventually.ts";

export const FAST: DeliveryOptions = { pollMs: 200, heartbeatMs: 500, authCacheMs: 200, holeTimeoutMs: 1_000 };

export interface TestBackend {
  database: TestDatabase;
  url: string;
  port: number;
  /** Stops the gRPC server only (the database stays): an outage. */
  stopDelivery(): Promise<void>;
  /** Starts the gRPC server again on the same port. */
  restartDelivery(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBackend(): Promise<TestBackend> {
  const database = await createTestDatabase();
  const start = (addr: string) =>
    startDelivery({ db: database.db, handle: database.handle, config: { grpc_addr: addr }, options: FAST });
  let delivery: Delivery | undefined = await start("127.0.0.1:0");
  const port = delivery.port;
  return {
    database,
    port,
    url: `http://127.0.0.1:${port}`,
    stopDelivery: async () => {
      await delivery?.stop();
      delivery = undefined;
    },
    restartDelivery: async () => {
      delivery = await start(`127.0.0.1:${port}`);
    },
    close: async () => {
      await delivery?.stop();
      await database.cleanup();
    },
  };
}

export interface EdgeProcess {
  url: string;
  dir: string;
  snapshotPath: string;
  process: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Log lines so far (JSON entries). */
  logs: Record<string, unknown>[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  health(): Promise<Record<string, unknown>>;
  /** SIGTERM and wait; returns the exit code. */
  terminate(): Promise<number>;
  kill(): Promise<void>;
}

const MAIN = join(import.meta.dir, "../../src/main.ts");

/** Spawns an edge; resolves once it listens. `dir` reuses a folder (and its snapshot file). */
export async function spawnEdge(env: Record<string, string>, dir?: string): Promise<EdgeProcess> {
  const folder = dir ?? mkdtempSync(join(tmpdir(), "fluxgate-edge-sys-"));
  const snapshotPath = join(folder, "edge-snapshot.json");
  const child = Bun.spawn(["bun", MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      EDGE_HTTP_ADDR: "127.0.0.1:0",
      EDGE_SNAPSHOT_PATH: snapshotPath,
      EDGE_SNAPSHOT_WRITE_DEBOUNCE_MS: "50",
      EDGE_LOG_LEVEL: "info",
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: Record<string, unknown>[] = [];
  const listening = Promise.withResolvers<string>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stderr) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        try {
          const entry = JSON.parse(line);
          logs.push(entry);
          if (entry.msg === "edge listening") listening.resolve(entry.url);
        } catch {
          logs.push({ raw: line });
        }
      }
    }
    listening.reject(new Error(`edge exited before listening: ${JSON.stringify(logs.slice(-5))}`));
  })();
  const url = await Promise.race([
    listening.promise,
    Bun.sleep(15_000).then(() => {
      throw new Error("edge did not start in 15 s");
    }),
  ]);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  return {
    url,
    dir: folder,
    snapshotPath,
    process: child,
    logs,
    post,
    health: async () => (await fetch(`${url}/health`)).json(),
    terminate: async () => {
      child.kill("SIGTERM");
      return child.exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
