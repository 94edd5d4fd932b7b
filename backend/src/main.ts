/**
 * The backend process: `startBackend()` opens the database (migrating it), makes sure a JWT signing key exists,
 * serves HTTP/GraphQL/WebSocket with Bun and starts gRPC delivery. Run directly (`bun backend/src/main.ts`) it
 * starts from `config.toml` + environment, prints its URLs and stops cleanly on SIGINT/SIGTERM.
 */
import { writeFileSync } from "node:fs";
import { type DatabaseHandle, openDatabase, seedDemo } from "@fluxgate/drizzle";
import type { Server } from "bun";
import { createApp } from "./app";
import { deleteExpiredSessions } from "./auth/repository";
import { type BackendConfig, ConfigError, formatHostPort, loadConfig } from "./config";
import { type Delivery, startDelivery } from "./delivery/index";
import { type AppDeps, createDeps, type DepsOptions } from "./deps";
import type { SocketData } from "./graphql/websocket";
import { type KillScheduler, startKillScheduler } from "./killswitch/scheduler";
import type { Logger } from "./log";

export interface StartOptions {
  config?: BackendConfig;
  /** An open database (tests); otherwise opened from the config and closed on stop. */
  handle?: DatabaseHandle;
  /** Override `http_addr` (tests use port 0 = any free port). */
  hostname?: string;
  port?: number;
  /** Start gRPC delivery (default true). */
  delivery?: boolean;
  log?: Logger;
  loginLimits?: DepsOptions["loginLimits"];
  tokenTtlSeconds?: number;
  /** How often due scheduled kills are applied (default 15 s; tests use less). */
  killSchedulerIntervalMs?: number;
  uiDir?: string;
  /** Seed the demo team on an empty database and write its edge credentials to `demoClientFile`. */
  seedDemo?: boolean;
  demoClientFile?: string;
}

export interface RunningBackend {
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  port: number;
  deps: AppDeps;
  server: Server<SocketData>;
  delivery?: Delivery;
  stop(): Promise<void>;
}

const SESSION_CLEANUP_MS = 60 * 60 * 1000;
const SESSION_KEEP_MS = 24 * 60 * 60 * 1000;

export async function startBackend(options: StartOptions = {}): Promise<RunningBackend> {
  const config = options.config ?? loadConfig();
  const handle =
    options.handle ??
    (await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir }));
  const deps = createDeps({
    handle,
    config,
    log: options.log,
    loginLimits: options.loginLimits,
    tokenTtlSeconds: options.tokenTtlSeconds,
  });
  let server: Server<SocketData> | undefined;
  let delivery: Delivery | undefined;
  let killScheduler: KillScheduler | undefined;
  const cleanup = setInterval(() => {
    deleteExpiredSessions(deps.db, new Date(Date.now() - SESSION_KEEP_MS)).catch((err) =>
      deps.log.warn("expired session cleanup failed", { error: String(err) }),
    );
  }, SESSION_CLEANUP_MS);
  cleanup.unref();
  const stop = async () => {
    clearInterval(cleanup);
    server?.stop(true);
    await delivery?.stop();
    await killScheduler?.stop();
    await deps.pubsub.close();
    if (!options.handle) await handle.close();
  };
  try {
    await deps.keys.ensureActiveKey();
    if (options.seedDemo) await seedDemoTeam(deps, options.demoClientFile);
    const app = createApp({ deps, uiDir: options.uiDir });
    server = Bun.serve<SocketData>({
      hostname: options.hostname ?? config.httpAddr.host,
      port: options.port ?? config.httpAddr.port,
      // SSE subscriptions get yoga's keep-alive pings well within this
      idleTimeout: 60,
      fetch: app.fetch,
      websocket: app.websocket,
    });
    if (options.delivery !== false) {
      delivery = await startDelivery({ db: deps.db, handle, config: { grpc_addr: formatHostPort(config.grpcAddr) } });
    }
    killScheduler = startKillScheduler(deps, options.killSchedulerIntervalMs);
  } catch (err) {
    await stop();
    throw err;
  }
  const host = server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname;
  return { url: `http://${host}:${server.port}`, port: server.port as number, deps, server, delivery, stop };
}

/** Seeds the demo team when the database has none; its edge credentials (shown once) go to `file`. */
async function seedDemoTeam(deps: AppDeps, file: string | undefined): Promise<void> {
  const seeded = await seedDemo(deps.db);
  if (seeded && file) {
    writeFileSync(file, `EDGE_CLIENT_ID=${seeded.clientId}\nEDGE_CLIENT_SECRET=${seeded.clientSecret}\n`, {
      mode: 0o600,
    });
  }
}

async function main(): Promise<void> {
  let backend: RunningBackend;
  try {
    backend = await startBackend({
      seedDemo: process.env.FLUXGATE_DEMO_SEED === "1",
      demoClientFile: process.env.FLUXGATE_DEMO_CLIENT_FILE,
    });
  } catch (err) {
    // configuration and database problems are one readable line, never a stack
    const known = err instanceof ConfigError || (err instanceof Error && /Database\w*Error/.test(err.name));
    console.error(
      `fluxgate backend: ${known ? (err as Error).message : String(err instanceof Error ? err.stack : err)}`,
    );
    process.exit(1);
  }
  const { config } = backend.deps;
  console.log(`FluxGate backend on ${backend.deps.handle.location}
  GraphQL    ${backend.url}/graphql  (GraphiQL in a browser; WebSocket and SSE subscriptions on the same path)
  Console    ${backend.url}/
  Health     ${backend.url}/health
  gRPC       ${formatHostPort(config.grpcAddr)}${backend.delivery ? ` (port ${backend.delivery.port})` : ""}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    backend.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`error while stopping: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.main) await main();
