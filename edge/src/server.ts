/**
 * The HTTP server: Bun.serve routes for the evaluation endpoints (no middleware in front of the hot path), the Hono
 * app for the rest.
 */
import type { Edge } from "./edge.ts";
import { createApp } from "./http/app.ts";
import { evaluateHandler } from "./http/evaluate.ts";
import { ofrepBulkHandler, ofrepFlagHandler } from "./http/ofrep.ts";
import { jsonHeaders, nextRequestId } from "./http/request-id.ts";
import { HttpProblem, plainProblem } from "./http/respond.ts";

export function serve(edge: Edge, hostname: string, port: number): Bun.Server<undefined> {
  const app = createApp(edge);
  return Bun.serve({
    hostname,
    port,
    // Bodies above the configured limit get a JSON 413 from the handlers; this is only the backstop for
    // bodies far beyond it (Bun answers those with a bare 413).
    maxRequestBodySize: Math.max(edge.config.maxBodyBytes * 16, 16 * 1024 * 1024),
    idleTimeout: edge.config.httpIdleSecs,
    routes: {
      "/evaluate": { POST: evaluateHandler(edge) },
      "/ofrep/v1/evaluate/flags": { POST: ofrepBulkHandler(edge) },
      "/ofrep/v1/evaluate/flags/:key": { POST: ofrepFlagHandler(edge) },
    },
    fetch: (req) => app.fetch(req),
    error(error) {
      // Bun does not say which request failed here: the answer and the line share a new id.
      const requestId = nextRequestId();
      edge.log.error("unhandled request error", { request_id: requestId, error });
      return plainProblem(new HttpProblem(500, "INTERNAL", "internal error"), jsonHeaders(requestId));
    },
  });
}
