/**
 * The `ui` image's server: the built console (`ui/dist`) as static files, with single-page fallback, and
 * `/config.js` generated once at start from `BACKEND_HOST`, `BACKEND_PORT`, `BACKEND_PROTOCOL`, `WS_PROTOCOL`
 * (unset → the console calls its own origin, e.g. behind an ingress that routes `/graphql` to the backend).
 *
 *   UI_ADDR (default 0.0.0.0:3000)   UI_DIR (default ui/dist)   UI_LOG_LEVEL (info; debug logs every request)
 *
 * `/health` and `/health/live` answer 200 once the files are there. SIGTERM/SIGINT: stop accepting, finish what is
 * in flight, exit 0. Logs are JSON lines on stderr.
 */
import { existsSync, realpathSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";

type Env = Record<string, string | undefined>;
type Level = "debug" | "info" | "warn" | "error";

const RANK: Record<Level | "silent", number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** The runtime settings the console reads from `window.__FLUXGATE_CONFIG__` (only the ones set). */
export function runtimeConfig(env: Env): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const key of ["BACKEND_HOST", "BACKEND_PORT", "BACKEND_PROTOCOL", "WS_PROTOCOL"]) {
    const value = env[key]?.trim();
    if (value) settings[key] = value;
  }
  return settings;
}

export function configScript(env: Env): string {
  return `window.__FLUXGATE_CONFIG__ = ${JSON.stringify(runtimeConfig(env))};\n`;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};

export interface UiServerOptions {
  env?: Env;
  /** `host:port`; default `UI_ADDR` or `0.0.0.0:3000`. */
  addr?: string;
  dir?: string;
}

export function startUiServer(options: UiServerOptions = {}): Bun.Server<undefined> {
  const env = options.env ?? process.env;
  const dir = realpathSync(resolve(options.dir ?? env.UI_DIR ?? join(import.meta.dir, "../../ui/dist")));
  if (!existsSync(join(dir, "index.html"))) throw new Error(`UI_DIR ${dir} has no index.html; run bun run build:ui`);
  const level = (env.UI_LOG_LEVEL ?? "info") as Level | "silent";
  if (!(level in RANK)) throw new Error(`UI_LOG_LEVEL must be debug, info, warn, error or silent (got ${level})`);
  const log = (at: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (RANK[at] >= RANK[level]) {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields })}\n`);
    }
  };
  const addr = options.addr ?? env.UI_ADDR ?? "0.0.0.0:3000";
  const match = /^(.+):(\d{1,5})$/.exec(addr);
  if (!match) throw new Error(`UI_ADDR must be host:port (got ${addr})`);
  const script = configScript(env);
  const index = Bun.file(join(dir, "index.html"));

  const server = Bun.serve({
    hostname: match[1].replace(/^\[(.*)\]$/, "$1"),
    port: Number(match[2]),
    routes: {
      "/health": Response.json({ status: "ok" }),
      "/health/live": Response.json({ status: "ok" }),
      "/config.js": new Response(script, {
        headers: { "content-type": "application/javascript; charset=utf-8", "cache-control": "no-store" },
      }),
    },
    async fetch(request) {
      const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
      const response = await serveFile(request);
      response.headers.set("x-request-id", requestId);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
      log("debug", "request", { request_id: requestId, path: new URL(request.url).pathname, status: response.status });
      return response;
    },
    error(error) {
      log("error", "request failed", { error: error.message });
      return new Response("internal error", { status: 500 });
    },
  });

  async function serveFile(request: Request): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return new Response("bad request", { status: 400 });
    }
    const file = resolve(dir, `.${path}`);
    if (file.startsWith(dir + sep)) {
      const candidate = Bun.file(file);
      if (await candidate.exists()) {
        // Vite names assets by content hash: they never change under the same name
        const immutable = file.startsWith(join(dir, "assets") + sep);
        return new Response(candidate, {
          headers: { "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache" },
        });
      }
    }
    // a path with an extension is a missing file; anything else is a console route
    if (extname(path)) return new Response("not found", { status: 404 });
    return new Response(index, {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" },
    });
  }

  log("info", "ui listening", { url: `http://${addr}`, dir, config: runtimeConfig(env) });
  return server;
}

if (import.meta.main) {
  let server: Bun.Server<undefined>;
  try {
    server = startUiServer();
  } catch (error) {
    process.stderr.write(`fluxgate ui: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const stop = async () => {
    setTimeout(() => process.exit(1), 10_000).unref();
    await Promise.race([server.stop(false), Bun.sleep(5_000)]);
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
