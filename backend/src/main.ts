/**
 * The backend process: `startBackend()` opens the database (migrating it), makes sure a JWT signing key exists,
 * serves HTTP/GraphQL/WebSocket with Bun and starts gRPC delivery. Run directly (`bun backend/src/main.ts`) it
 * starts from `config.toml` + environment, refuses unsafe production settings, logs JSON lines with request ids, and
 * on SIGINT/SIGTERM drains in-flight requests, ends the edges' gRPC streams and exits 0 within 10 s.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { type DatabaseHandle, guardDriverCrashes, openDatabase, seedDemo } from "@fluxgate/drizzle";
import type { Server } from "bun";
import { type AnalyticsJobs, startAnalyticsJobs } from "./analytics/jobs";
import { createApp } from "./app";
import { deleteExpiredSessions } from "./auth/repository";
import { type BackendConfig, ConfigError, formatHostPort, loadConfig } from "./config";
import { type Delivery, startDelivery } from "./delivery/index";
import { type AppDeps, createDeps, type DepsOptions } from "./deps";
import type { SocketData } from "./graphql/websocket";
import { type KillScheduler, startKillScheduler } from "./killswitch/scheduler";
import { createLogger, type Logger, requestScope } from "./log";

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
  /** Run the analytics compaction and retention jobs (default true; tests of those jobs run them by hand). */
  analyticsJobs?: boolean;
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
  /** `drainMs`: stop accepting, end gRPC streams and give requests in flight that long before closing (default 0). */
  stop(options?: { drainMs?: number }): Promise<void>;
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
  let analyticsJobs: AnalyticsJobs | undefined;
  const cleanup = setInterval(() => {
    deleteExpiredSessions(deps.db, new Date(Date.now() - SESSION_KEEP_MS)).catch((err) =>
      deps.log.warn("expired session cleanup failed", { error: String(err) }),
    );
  }, SESSION_CLEANUP_MS);
  cleanup.unref();
  let inFlight = 0;
  const stop = async ({ drainMs = 0 } = {}) => {
    clearInterval(cleanup);
    const deadline = Date.now() + drainMs;
    if (drainMs > 0) void server?.stop(false); // no new connections; requests in flight go on
    await delivery?.stop(); // ends the edges' streams (UNAVAILABLE): they reconnect to another replica
    while (inFlight > 0 && Date.now() < deadline) await Bun.sleep(20);
    if (drainMs > 0 && server) await Promise.race([server.stop(false), Bun.sleep(Math.min(250, drainMs))]);
    server?.stop(true);
    await killScheduler?.stop();
    await analyticsJobs?.stop();
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
      fetch: (request, bunServer) => {
        // request id from X-Request-Id (when sane) or new; on every log line of the request and echoed back
        const given = request.headers.get("x-request-id");
        const requestId = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
        return requestScope.run({ requestId }, () => tracked(request, requestId, () => app.fetch(request, bunServer)));
      },
      websocket: app.websocket,
    });
    if (options.delivery !== false) {
      delivery = await startDelivery({ db: deps.db, handle, config: { grpc_addr: formatHostPort(config.grpcAddr) } });
    }
    killScheduler = startKillScheduler(deps, options.killSchedulerIntervalMs);
    if (options.analyticsJobs !== false) analyticsJobs = startAnalyticsJobs(deps);
  } catch (err) {
    await stop();
    throw err;
  }
  async function tracked(request: Request, requestId: string, handle: () => Response | Promise<Response> | undefined) {
    const started = performance.now();
    inFlight++;
    try {
      let response = await handle();
      if (!response) return undefined; // upgraded to a WebSocket
      try {
        response.headers.set("x-request-id", requestId);
      } catch {
        response = new Response(response.body, response); // immutable headers
        response.headers.set("x-request-id", requestId);
      }
      const path = new URL(request.url).pathname; // never the query string (GraphQL GET variables)
      (path.startsWith("/health") ? deps.log.debug : deps.log.info)("request", {
        method: request.method,
        path,
        status: response.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
      return response;
    } finally {
      inFlight--;
    }
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

type Env = Record<string, string | undefined>;

const WEAK_PASSWORDS = new Set(["", "postgres", "password", "admin", "secret", "fluxgate"]);
const PLACEHOLDER = /change[-_ ]?me/i;
const LOOPBACK = /^(localhost|127\.[\d.]+|\[::1\]|0\.0\.0\.0)$/i;

/**
 * Settings refused in production (`NODE_ENV=production` or `production = true`) unless `FLUXGATE_ALLOW_INSECURE=1`:
 * one sentence each, naming the setting and the fix. Documented in README.md ("Production settings").
 */
export function productionProblems(config: BackendConfig, env: Env = process.env): string[] {
  if (!config.production) return [];
  const problems: string[] = [];
  for (const origin of config.allowedOrigins) {
    const url = URL.canParse(origin) ? new URL(origin) : undefined;
    if (origin.includes("*"))
      problems.push(`allowed_origin '${origin}' is a wildcard; list the console's exact origins`);
    else if (url && LOOPBACK.test(url.hostname)) {
      problems.push(`allowed_origin '${origin}' is a local address; set the console's public https origin`);
    } else if (url?.protocol === "http:") {
      problems.push(`allowed_origin '${origin}' is not https; serve the console over TLS and list its https origin`);
    }
  }
  if (!config.databaseUrl) {
    problems.push("no DATABASE_URL: embedded PGlite is a single-process development database; set DATABASE_URL");
  } else if (URL.canParse(config.databaseUrl)) {
    const password = decodeURIComponent(new URL(config.databaseUrl).password);
    if (WEAK_PASSWORDS.has(password.toLowerCase()) || PLACEHOLDER.test(password)) {
      problems.push("DATABASE_URL has an empty, default or placeholder password; use the real database secret");
    }
  }
  if (env.FLUXGATE_DEMO_SEED === "1") problems.push("FLUXGATE_DEMO_SEED=1 seeds demo data; unset it in production");
  return problems;
}

export async function main(): Promise<void> {
  let backend: RunningBackend;
  try {
    const config = loadConfig();
    const problems = productionProblems(config);
    const log = createLogger(config.logLevel);
    guardDriverCrashes((message) => log.warn(message));
    const allowed = process.env.FLUXGATE_ALLOW_INSECURE === "1";
    for (const problem of problems) {
      if (allowed) log.warn(`insecure production setting (allowed by FLUXGATE_ALLOW_INSECURE=1): ${problem}`);
      else log.error(`refusing to start in production: ${problem}`);
    }
    if (problems.length > 0 && !allowed) {
      log.error("fix the settings above, or set FLUXGATE_ALLOW_INSECURE=1 to start anyway (not for real deployments)");
      process.exit(1);
    }
    backend = await startBackend({
      config,
      log,
      seedDemo: process.env.FLUXGATE_DEMO_SEED === "1",
      demoClientFile: process.env.FLUXGATE_DEMO_CLIENT_FILE,
      uiDir: process.env.FLUXGATE_UI_DIR || undefined,
    });
  } catch (err) {
    // configuration and database problems are one readable line, never a stack
    const known = err instanceof ConfigError || (err instanceof Error && /Database\w*Error/.test(err.name));
    console.error(
      `fluxgate backend: ${known ? (err as Error).message : String(err instanceof Error ? err.stack : err)}`,
    );
    process.exit(1);
  }
  const { config, log } = backend.deps;
  log.info("backend started", {
    url: backend.url,
    grpc: backend.delivery ? `${config.grpcAddr.host}:${backend.delivery.port}` : undefined,
    database: backend.deps.handle.kind,
    production: config.production,
  });
  if (!config.production) {
    console.log(`FluxGate backend on ${backend.deps.handle.location}
  GraphQL    ${backend.url}/graphql  (GraphiQL in a browser; WebSocket and SSE subscriptions on the same path)
  Console    ${backend.url}/
  Health     ${backend.url}/health
  gRPC       ${formatHostPort(config.grpcAddr)}${backend.delivery ? ` (port ${backend.delivery.port})` : ""}`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    setTimeout(() => {
      log.error("stop did not finish in 9.5 s; exiting");
      process.exit(1);
    }, 9_500).unref();
    backend.stop({ drainMs: 5_000 }).then(
      () => {
        log.info("backend stopped");
        process.exit(0);
      },
      (err) => {
        log.error("error while stopping", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.main) await main();
