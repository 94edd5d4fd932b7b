/**
 * The HTTP application: Hono routes (health, GraphQL, console) with CORS and a body limit, plus the WebSocket
 * handler for GraphQL subscriptions. `fetch` and `websocket` go straight into `Bun.serve`.
 */
import type { Server, WebSocketHandler } from "bun";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { AppDeps } from "./deps";
import { AppError } from "./errors";
import { createWebSocketHandler, handleProtocols, type SocketData } from "./graphql/websocket";
import { createGraphQL, GRAPHQL_PATH, type Yoga } from "./graphql/yoga";
import { clientIp } from "./http/client-ip";
import { consoleRoutes } from "./http/console";
import { healthRoutes } from "./http/health";

export interface AppOptions {
  deps: AppDeps;
  /** Built console folder (default `ui/dist`). */
  uiDir?: string;
}

export interface BackendApp {
  app: Hono<{ Bindings: { server?: Server<SocketData> } }>;
  yoga: Yoga;
  fetch(request: Request, server: Server<SocketData>): Response | Promise<Response> | undefined;
  websocket: WebSocketHandler<SocketData>;
}

const ALLOWED_HEADERS = ["authorization", "content-type", "accept"];

export function createApp({ deps, uiDir }: AppOptions): BackendApp {
  const { config } = deps;
  const yoga = createGraphQL(deps);
  const app = new Hono<{ Bindings: { server?: Server<SocketData> } }>();

  app.use(
    "*",
    cors({
      origin: (origin) => (config.allowedOrigins.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: ALLOWED_HEADERS,
      maxAge: 3600,
    }),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        c.json({ error: "payload_too_large", message: `the request body exceeds ${config.maxBodyBytes} bytes` }, 413),
    }),
  );
  app.route("/", healthRoutes(deps));
  app.on(["GET", "POST"], GRAPHQL_PATH, (c) =>
    yoga.fetch(c.req.raw, {
      authorization: c.req.header("authorization") ?? null,
      clientIp: clientIp(c.req.raw, c.env?.server, config.trustProxy),
    }),
  );
  app.route("/", consoleRoutes({ uiDir }));
  app.notFound((c) => c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof AppError) return c.json({ error: err.code, message: err.message }, 400);
    deps.log.error("unexpected error in an HTTP handler", { path: c.req.path, message: err.message });
    return c.json({ error: "INTERNAL", message: "Unexpected error." }, 500);
  });

  const websocket = createWebSocketHandler(deps, yoga);
  return {
    app,
    yoga,
    websocket,
    fetch(request, server) {
      if (
        request.headers.get("upgrade")?.toLowerCase() === "websocket" &&
        new URL(request.url).pathname === GRAPHQL_PATH
      ) {
        return upgrade(request, server, config.trustProxy);
      }
      return app.fetch(request, { server });
    },
  };
}

function upgrade(request: Request, server: Server<SocketData>, trustProxy: boolean): Response | undefined {
  const protocol = handleProtocols(request.headers.get("sec-websocket-protocol") ?? "");
  if (!protocol) {
    return Response.json(
      { error: "bad_request", message: "use the graphql-transport-ws subprotocol" },
      { status: 400 },
    );
  }
  const data: SocketData = { clientIp: clientIp(request, server, trustProxy) };
  if (server.upgrade(request, { data, headers: { "Sec-WebSocket-Protocol": protocol } })) return undefined;
  return Response.json({ error: "bad_request", message: "WebSocket upgrade failed" }, { status: 400 });
}
