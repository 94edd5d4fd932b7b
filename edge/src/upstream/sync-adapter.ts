/**
 * `Upstream` over the gRPC sync client (edge/src/sync): proto shapes in and out, gRPC status codes reduced to
 * `UpstreamError` kinds. The only file of the edge that knows the sync client's API.
 */
import type { GetClientInfoResponse, UserFlagAssignment } from "@fluxgate/proto";
import * as grpc from "@grpc/grpc-js";
import type { AnalyticsBatch } from "../analytics/types.ts";
import type { ClientInfo } from "../auth/clients.ts";
import { createSyncClient, type SyncError } from "../sync/sync-client.ts";
import type { Connection, StoredAssignment, Upstream } from "./types.ts";
import { UpstreamError, type UpstreamErrorKind } from "./types.ts";

export function syncUpstream(backendUrl: string): Upstream {
  return {
    connect(credentials, handlers, sinceVersion): Connection {
      const sync = createSyncClient({
        backendUrl,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        // The edge keeps the flags itself; the sync client only needs the version to ask for changes since.
        sinceVersion,
        onSnapshot: (snapshot) => handlers.onSnapshot(snapshot),
        onDelta: (upserts, deletes, version) => handlers.onDelta({ version, upserts, deletes }),
        onStateChange: (connected, error) => handlers.onStateChange(connected, error && fromSyncError(error)),
      });
      return {
        start: () => sync.start(),
        stop: () => sync.stop(),
        getClientInfo: () => sync.getClientInfo().then(toClientInfo, rethrow),
        listUserAssignments: () => sync.listUserAssignments().then((rows) => rows.map(toStored), rethrow),
        pushUserAssignments: (rows) =>
          sync.pushUserAssignments(rows.map(toProtoAssignment)).then(() => undefined, rethrow),
        pushEvaluationEvents: (batch) => sync.pushEvaluationEvents(toProtoBatch(batch)).then(() => undefined, rethrow),
      };
    },
  };
}

function kindOf(code: number | null | undefined): UpstreamErrorKind {
  switch (code) {
    case grpc.status.UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc.status.PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc.status.INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.CANCELLED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return "UNAVAILABLE";
    default:
      return "OTHER";
  }
}

function fromSyncError(error: SyncError): UpstreamError {
  return new UpstreamError(kindOf(error.code), error.message);
}

function rethrow(error: unknown): never {
  const e = error as Partial<grpc.ServiceError>;
  throw new UpstreamError(kindOf(e?.code), e?.details || e?.message || String(error));
}

function toClientInfo(r: GetClientInfoResponse): ClientInfo {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    enabled: r.enabled,
    clientType: r.client_type === "Web" ? "Web" : "Backend",
    webOrigins: r.web_origins,
    environmentId: r.environment_id || null,
  };
}

function toStored(r: UserFlagAssignment): StoredAssignment {
  return {
    userId: r.user_id,
    featureId: r.feature_id,
    environmentId: r.environment_id,
    assigned: r.assigned,
    variant: r.variant,
  };
}

function toProtoAssignment(a: StoredAssignment) {
  return {
    user_id: a.userId,
    feature_id: a.featureId,
    environment_id: a.environmentId,
    assigned: a.assigned,
    variant: a.variant,
  };
}

/** The batch as the PushEvaluationEvents request fields (without credentials). */
export function toProtoBatch(batch: AnalyticsBatch) {
  return {
    batchId: batch.batchId,
    events: batch.events.map((e) => ({
      feature_key: e.featureKey,
      environment_id: e.environmentId,
      client_id: e.clientId,
      evaluation_result: e.result,
      evaluation_context: e.context,
      user_context: e.userContext,
      evaluated_at_unix_ms: e.evaluatedAtMs,
      prior_assignment: e.priorAssignment,
      variant: e.variant,
    })),
    counters: batch.counters.map((c) => ({
      feature_key: c.featureKey,
      environment_id: c.environmentId,
      variant: c.variant,
      result: c.result,
      minute_unix_ms: c.minuteMs,
      evaluation_count: c.evaluationCount,
      cached_count: c.cachedCount,
    })),
  };
}
