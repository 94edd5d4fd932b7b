/** JSON responses and the problems (4xx/5xx) the edge answers with, in both its own and OFREP's shape. */
import { nextRequestId, REQUEST_ID_HEADER } from "./request-id.ts";

/** Every problem the edge reports; `/evaluate` sends it as `error_code`. */
export type ProblemCode =
  | "PARSE_ERROR"
  | "INVALID_REQUEST"
  | "INVALID_CONTEXT"
  | "ENVIRONMENT_NOT_FOUND"
  | "FLAG_NOT_FOUND"
  | "UNAUTHENTICATED"
  | "CLIENT_DISABLED"
  | "ORIGIN_NOT_ALLOWED"
  | "ENVIRONMENT_FORBIDDEN"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "UNAVAILABLE"
  | "INTERNAL";

/** A request the edge will not answer with a result; thrown by request parsing and scope resolution. */
export class HttpProblem {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly message: string,
    readonly retryAfterSecs?: number,
  ) {}
}

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json" });

/**
 * A 200 over a JSON body cached as a Blob typed application/json: its Content-Type comes with it, so an answer with
 * no other header needs no header object at all (about 0.2 µs less per answer than `{headers: {...}}`).
 */
export function jsonBlobResponse(body: Blob, headers: Record<string, string> | undefined): Response {
  return headers === undefined ? new Response(body) : new Response(body, { headers });
}

/** Headers of a problem answer: JSON, `extra` (CORS), and the request's id, a new one when the caller sent none. */
export function problemResponseHeaders(
  requestId: string | undefined,
  extra: Record<string, string> | undefined,
): Record<string, string> {
  return { ...JSON_HEADERS, ...extra, [REQUEST_ID_HEADER]: requestId ?? nextRequestId() };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = JSON_HEADERS): Response {
  return new Response(JSON.stringify(body), { status, headers });
}

function problemHeaders(problem: HttpProblem, headers: Record<string, string>): Record<string, string> {
  if (problem.retryAfterSecs === undefined) return headers;
  return { ...headers, "retry-after": String(problem.retryAfterSecs) };
}

/** `/evaluate` and the other non-OFREP routes: `{enabled: false, error_code, message}`. */
export function evaluateProblem(problem: HttpProblem, headers: Record<string, string> = JSON_HEADERS): Response {
  const body = { enabled: false, error_code: problem.code, message: problem.message };
  return json(body, problem.status, problemHeaders(problem, headers));
}

/** Generic routes (health, docs, 404, 405): `{error_code, message}`. */
export function plainProblem(problem: HttpProblem, headers: Record<string, string> = JSON_HEADERS): Response {
  return json({ error_code: problem.code, message: problem.message }, problem.status, problemHeaders(problem, headers));
}

/** OFREP's error codes (ofrep.md); everything the edge reports maps onto one of them. */
type OfrepErrorCode = "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "GENERAL" | "FLAG_NOT_FOUND";

function ofrepCode(code: ProblemCode): OfrepErrorCode {
  switch (code) {
    case "PARSE_ERROR":
    case "FLAG_NOT_FOUND":
      return code;
    case "INVALID_REQUEST":
    case "INVALID_CONTEXT":
    case "ENVIRONMENT_NOT_FOUND":
      return "INVALID_CONTEXT";
    default:
      return "GENERAL";
  }
}

/**
 * OFREP shape: 400/404 `{key?, errorCode, errorDetails}`; other statuses (401, 403, 413, 503, 500) carry
 * `{errorDetails}` (plus the edge's own `errorCode` where OFREP defines none).
 */
export function ofrepProblem(
  problem: HttpProblem,
  key: string | undefined,
  headers: Record<string, string> = JSON_HEADERS,
): Response {
  const body: Record<string, string> = {};
  if (key !== undefined) body.key = key;
  body.errorCode = problem.status === 400 || problem.status === 404 ? ofrepCode(problem.code) : problem.code;
  body.errorDetails = problem.message;
  return json(body, problem.status, problemHeaders(problem, headers));
}

/** Anything thrown that is not an HttpProblem: a generic 500 with no internals. */
export function asProblem(error: unknown): HttpProblem {
  return error instanceof HttpProblem ? error : new HttpProblem(500, "INTERNAL", "internal error");
}
