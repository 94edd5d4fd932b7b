/**
 * The console: the built UI (`ui/dist`) at `/` with single-page fallback, and `/config.js` giving it its runtime
 * settings (`window.__FLUXGATE_CONFIG__`) from `BACKEND_HOST`, `BACKEND_PORT`, `BACKEND_PROTOCOL`, `WS_PROTOCOL`,
 * defaulting to the address the browser used.
 */
import { existsSync } from "node:fs";
import { extname, resolve, sep } from "node:path";
import { Hono } from "hono";

export const DEFAULT_UI_DIR = resolve(import.meta.dir, "../../../ui/dist");

type Env = Record<string, string | undefined>;

export function consoleRoutes(options: { uiDir?: string; env?: Env } = {}): Hono {
  const uiDir = resolve(options.uiDir ?? DEFAULT_UI_DIR);
  const env = options.env ?? process.env;
  const routes = new Hono();
  routes.get("/config.js", (c) => {
    const url = new URL(c.req.url);
    const protocol = env.BACKEND_PROTOCOL ?? url.protocol.replace(":", "");
    const settings = {
      BACKEND_HOST: env.BACKEND_HOST ?? url.hostname,
      BACKEND_PORT: env.BACKEND_PORT ?? (url.port || (protocol === "https" ? "443" : "80")),
      BACKEND_PROTOCOL: protocol,
      WS_PROTOCOL: env.WS_PROTOCOL ?? (protocol === "https" ? "wss" : "ws"),
    };
    return c.body(`window.__FLUXGATE_CONFIG__ = ${JSON.stringify(settings)};\n`, 200, {
      "content-type": "application/javascript; charset=utf-8",
      "cache-control": "no-store",
    });
  });
  routes.get("*", async (c) => {
    if (!existsSync(resolve(uiDir, "index.html"))) {
      if (c.req.path !== "/") return c.notFound();
      return c.html(
        "<!doctype html><title>FluxGate</title><p>FluxGate backend. GraphQL (and GraphiQL) at " +
          '<a href="/graphql">/graphql</a>. The console is not built (no ui/dist).</p>',
      );
    }
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    const file = resolve(uiDir, `.${path}`);
    if (file.startsWith(uiDir + sep) && (await Bun.file(file).exists())) return new Response(Bun.file(file));
    // a path with an extension is a missing asset; anything else is a console route
    if (extname(path)) return c.notFound();
    return new Response(Bun.file(resolve(uiDir, "index.html")), { headers: { "content-type": "text/html" } });
  });
  return routes;
}
