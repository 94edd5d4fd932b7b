/**
 * The edge process: `bun edge/src/main.ts` (configured by `EDGE_*`, see edge/README.md), or `startEdge(config)`
 * from code and tests. SIGTERM/SIGINT: stop accepting, deliver analytics, exit 0 within 10 s.
 */
import { ConfigError, type EdgeConfig, loadConfig } from "./config.ts";
import { Edge } from "./edge.ts";
import { createLogger, errorText, type Logger } from "./log.ts";
import { serve } from "./server.ts";
import { syncUpstream } from "./upstream/sync-adapter.ts";
import type { Upstream } from "./upstream/types.ts";

export interface StartOptions {
  /** Where the backend links come from; default the gRPC sync client at `config.backendGrpc`. */
  upstream?: Upstream;
  log?: Logger;
}

export interface RunningEdge {
  url: string;
  port: number;
  edge: Edge;
  /** Stops accepting, flushes analytics and sticky assignments, writes the snapshot, closes the links. */
  stop(): Promise<void>;
}

/** Total budget for a graceful stop; the final flush gets most of it. */
const STOP_BUDGET_MS = 10_000;

export async function startEdge(config: EdgeConfig, options: StartOptions = {}): Promise<RunningEdge> {
  const log = options.log ?? createLogger(config.logLevel);
  const upstream = options.upstream ?? defaultUpstream(config);
  const edge = new Edge(config, log, upstream);
  await edge.start();
  const server = serve(edge, config.httpHost, config.httpPort);
  const port = server.port ?? config.httpPort;
  const host = config.httpHost === "0.0.0.0" || config.httpHost === "::" ? "127.0.0.1" : config.httpHost;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.notice("edge listening", { url, backend: config.backendGrpc, clientId: config.clientId });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      void server.stop(false); // no new connections; requests in flight finish
      await edge.stop(STOP_BUDGET_MS - 2000);
      await server.stop(true);
      log.notice("edge stopped");
    })();
    return stopping;
  };
  return { url, port, edge, stop };
}

function defaultUpstream(config: EdgeConfig): Upstream {
  return syncUpstream(config.backendGrpc);
}

const PRIVATE_HOST =
  /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[(::1|f[cd])|[^.]+$)|\.(svc|local|internal)$/i;

/**
 * Settings refused when `NODE_ENV=production` unless `FLUXGATE_ALLOW_INSECURE=1` (README.md, "Production settings"):
 * a placeholder client secret, and a plaintext backend link that leaves the private network (it carries the secret).
 */
export function productionProblems(
  config: EdgeConfig,
  env: Record<string, string | undefined> = process.env,
): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (/change[-_ ]?me/i.test(config.clientSecret)) {
    problems.push("EDGE_CLIENT_SECRET is a placeholder; set the client's real secret");
  }
  const backend = new URL(config.backendGrpc);
  if (backend.protocol === "http:" && !PRIVATE_HOST.test(backend.hostname)) {
    problems.push(`EDGE_BACKEND_GRPC ${config.backendGrpc} is plaintext to a public host; use https://`);
  }
  return problems;
}

export async function main(): Promise<void> {
  let config: EdgeConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fluxgate edge: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const allowed = process.env.FLUXGATE_ALLOW_INSECURE === "1";
  const problems = productionProblems(config);
  const log = createLogger(config.logLevel);
  for (const problem of problems) {
    if (allowed) log.warn(`insecure production setting (allowed by FLUXGATE_ALLOW_INSECURE=1): ${problem}`);
    else log.error(`refusing to start in production: ${problem}`);
  }
  if (problems.length > 0 && !allowed) process.exit(2);
  const running = await startEdge(config, { log });
  const shutdown = (signal: string) => {
    running.edge.log.info("shutting down", { signal });
    setTimeout(() => process.exit(1), STOP_BUDGET_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (error) => {
        running.edge.log.error("shutdown failed", { error: errorText(error) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

if (import.meta.main) await main();
