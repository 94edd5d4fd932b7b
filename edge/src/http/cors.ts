/**
 * CORS for web clients. A preflight carries no credentials, so it cannot tell which client will call:
 * - without credential headers the call can only use the edge's own client, so its origins decide;
 * - with `authorization`/`x-api-key` requested, an origin some known web client allows passes, and so does an
 *   unknown one (the client may be new to this edge): the real request is checked against its own client's
 *   origins (scope.ts) before anything is evaluated, and a refused origin gets 403 without CORS headers.
 */
import type { Edge } from "../edge.ts";
import { HttpProblem, plainProblem } from "./respond.ts";

const ALLOWED_HEADERS = ["content-type", "authorization", "x-api-key", "if-none-match", "x-request-id"];

/** CORS headers of an answer to a web client from an allowed origin (plus the request's id, readable by the page). */
export function corsHeaders(origin: string, requestId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "ETag, X-Request-Id",
    vary: "Origin",
  };
  if (requestId !== undefined) headers["x-request-id"] = requestId;
  return headers;
}

/** Paths browsers may call. */
const CORS_PATHS = /^\/(evaluate|ofrep\/v1\/evaluate\/flags(\/[^/]+)?)$/;

/** Answers `OPTIONS`: a CORS preflight for an allowed origin, 403 for another, or plain `Allow` when not CORS. */
export function preflight(edge: Edge, req: Request, path: string): Response {
  if (!CORS_PATHS.test(path)) return plainProblem(new HttpProblem(404, "NOT_FOUND", `no route ${path}`));
  const origin = req.headers.get("origin");
  const method = req.headers.get("access-control-request-method");
  if (origin === null || method === null) {
    return new Response(null, { status: 204, headers: { allow: "POST, OPTIONS" } });
  }
  const requested = (req.headers.get("access-control-request-headers") ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  const withCredentials = requested.includes("authorization") || requested.includes("x-api-key");
  if (!(withCredentials || ownAllows(edge, origin))) {
    return plainProblem(new HttpProblem(403, "ORIGIN_NOT_ALLOWED", `origin ${origin} is not allowed`), {
      "content-type": "application/json",
      vary: "Origin",
    });
  }
  if (method.toUpperCase() !== "POST") {
    return plainProblem(new HttpProblem(405, "METHOD_NOT_ALLOWED", `${method} is not allowed; use POST`));
  }
  const refused = requested.filter((h) => !ALLOWED_HEADERS.includes(h));
  if (refused.length > 0) {
    return plainProblem(new HttpProblem(403, "ORIGIN_NOT_ALLOWED", `headers not allowed: ${refused.join(", ")}`));
  }
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS.join(", "),
      "access-control-max-age": "600",
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    },
  });
}

/** Whether the edge's own client may be called from this origin (a backend client has no origins). */
function ownAllows(edge: Edge, origin: string): boolean {
  const own = edge.ownClient;
  return own.info.clientType === "Web" && own.origins.has(origin);
}
