/**
 * Request ids: an incoming `X-Request-Id` when sane (the backend's rule: 1–128 of `[A-Za-z0-9_.:-]`), else a new
 * one. New ids are a per-process random prefix and a counter (`k3x9q2-1a`): unique enough to find a request's log
 * lines, and nearly free on the hot path (no UUID, no crypto per request).
 */

const SANE = /^[\w.:-]{1,128}$/;
/** Six base-36 characters, random per process: ids stay distinct across restarts and replicas. */
const PREFIX = `${(crypto.getRandomValues(new Uint32Array(1))[0] % 36 ** 6).toString(36).padStart(6, "0")}-`;
let counter = 0;

export const REQUEST_ID_HEADER = "x-request-id";

/** The request's id: its own `X-Request-Id` when sane, else a new one. */
export function requestIdOf(req: Request): string {
  return givenRequestId(req) ?? nextRequestId();
}

/** The caller's `X-Request-Id` when sane, else undefined. */
export function givenRequestId(req: Request): string | undefined {
  const given = req.headers.get(REQUEST_ID_HEADER);
  return given !== null && given.length <= 128 && SANE.test(given) ? given : undefined;
}

export function nextRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/**
 * The id of an evaluation request (/evaluate, OFREP): the caller's, or at debug level a new one (its log line
 * names it). Otherwise none: a successful evaluation is answered without one (a header per answer costs
 * measurably on the hot path), and a problem gets a new id when it is answered (`problemId`).
 */
export function evaluationRequestId(req: Request, debug: boolean): string | undefined {
  return givenRequestId(req) ?? (debug ? nextRequestId() : undefined);
}

/** JSON response headers carrying the request id. */
export function jsonHeaders(requestId: string): Record<string, string> {
  return { "content-type": "application/json", "x-request-id": requestId };
}
