/**
 * Everything off the hot path, as a Hono app: health, metrics, docs, OpenAPI, CORS preflight, and JSON 404/405.
 * The evaluation routes are Bun.serve routes (server.ts) and reach Hono only for other methods.
 */
import { Hono } from "hono";
import type { Edge } from "../edge.ts";
import { renderMetrics } from "../metrics/edge-metrics.ts";
import { ROUTE } from "../metrics/prometheus.ts";
import { preflight } from "./cors.ts";
import { DOCS_HTML } from "./docs-page.ts";
import { logRequest } from "./log-request.ts";
import { openapi } from "./openapi.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id.ts";
import { HttpProblem, plainProblem } from "./respond.ts";

const EVALUATION_PATHS = /^\/(evaluate|ofrep\/v1\/evaluate\/flags(\/[^/]+)?)$/;
const OPENAPI_JSON = JSON.stringify(openapi);

type Env = { Variables: { requestId: string } };

export function createApp(edge: Edge): Hono<Env> {
  const app = new Hono<Env>();
  // Every answer carries the request's id (X-Request-Id: the caller's when sane, else a new one).
  app.use("*", async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.req.raw);
    c.set("requestId", requestId);
    await next();
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
    if (edge.log.debugEnabled) {
      logRequest(edge.log, c.req.raw, requestId, c.res.status, (performance.now() - started) / 1000);
    }
  });
  const timed = (route: number) => async (c: { res: Response }, next: () => Promise<void>) => {
    const started = performance.now();
    await next();
    edge.http.observe(route, c.res.status, (performance.now() - started) / 1000);
  };

  app.use("/health", timed(ROUTE.health));
  app.get("/health", (c) => {
    const report = edge.health();
    return c.json(report, report.status === "starting" ? 503 : 200);
  });
  app.use("/health/live", timed(ROUTE.health_live));
  app.get("/health/live", (c) => c.json({ status: "live" }));
  app.use("/metrics", timed(ROUTE.metrics));
  app.get("/metrics", (c) => c.text(renderMetrics(edge), 200, { "content-type": "text/plain; version=0.0.4" }));
  app.use("/openapi.json", timed(ROUTE.openapi));
  app.get("/openapi.json", (c) => c.body(OPENAPI_JSON, 200, { "content-type": "application/json" }));
  app.use("/docs", timed(ROUTE.docs));
  app.get("/docs", (c) => c.html(DOCS_HTML));
  app.get("/docs/", (c) => c.redirect("/docs"));

  app.options("*", (c) => {
    const started = performance.now();
    const response = preflight(edge, c.req.raw, c.req.path);
    edge.http.observe(ROUTE.preflight, response.status, (performance.now() - started) / 1000);
    return response;
  });

  app.notFound((c) => {
    const path = c.req.path;
    const known =
      EVALUATION_PATHS.test(path) || ["/health", "/health/live", "/metrics", "/openapi.json", "/docs"].includes(path);
    const response = known
      ? plainProblem(new HttpProblem(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${path}`))
      : plainProblem(new HttpProblem(404, "NOT_FOUND", `no route ${c.req.method} ${path}`));
    if (known) response.headers.set("allow", EVALUATION_PATHS.test(path) ? "POST, OPTIONS" : "GET");
    edge.http.observe(ROUTE.other, response.status, 0);
    return response;
  });

  app.onError((error, c) => {
    edge.log.error("request failed", { request_id: c.get("requestId"), path: c.req.path, error });
    return plainProblem(new HttpProblem(500, "INTERNAL", "internal error"));
  });
  return app;
}
