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
  const given = req.headers.get(REQUEST_ID_HEADER);
  if (given !== null && given.length <= 128 && SANE.test(given)) return given;
  return nextRequestId();
}

export function nextRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/** JSON response headers carrying the request id. */
export function jsonHeaders(requestId: string): Record<string, string> {
  return { "content-type": "application/json", "x-request-id": requestId };
}
