/** The per-request log line, written only at `EDGE_LOG_LEVEL=debug` (callers check `log.debugEnabled` first). */
import type { Logger } from "../log.ts";

export function logRequest(
  log: Logger,
  req: Request,
  requestId: string,
  status: number,
  seconds: number,
  errorCode?: string,
): void {
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  log.debug("request", {
    request_id: requestId,
    method: req.method,
    path: start < 0 ? "/" : url.slice(start, query < 0 ? undefined : query),
    status,
    duration_ms: Math.round(seconds * 100_000) / 100,
    ...(errorCode === undefined ? {} : { error_code: errorCode }),
  });
}
