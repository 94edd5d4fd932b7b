/**
 * An upstream that never connects: the edge serves from its disk snapshot only. Used when the sync client is
 * not available (and by `startEdge({ upstream: "detached" })`, e.g. the HTTP bench).
 */
import type { Connection, StreamHandlers, Upstream } from "./types.ts";
import { UpstreamError } from "./types.ts";

export function detachedUpstream(reason = "no backend link configured"): Upstream {
  return {
    connect(_credentials, handlers: StreamHandlers, _sinceVersion): Connection {
      const away = () => Promise.reject(new UpstreamError("UNAVAILABLE", reason));
      return {
        start: () => handlers.onStateChange(false, new UpstreamError("UNAVAILABLE", reason)),
        stop: async () => {},
        getClientInfo: away,
        listUserAssignments: away,
        pushUserAssignments: away,
        pushEvaluationEvents: away,
      };
    },
  };
}
