/**
 * gRPC transport of delivery: decodes requests, authenticates, calls the services and maps errors to
 * statuses. No logic of its own beyond the stream protocol (first message must be `subscribe`).
 */
import type { Db } from "@fluxgate/drizzle";
import {
  type EvaluateRequest,
  type GetClientInfoRequest,
  type GetFeatureByKeyRequest,
  type ListUserFlagAssignmentsRequest,
  loadFluxgateProto,
  type PushEvaluationEventsRequest,
  type StreamRequest,
  type UserFlagAssignment,
} from "@fluxgate/proto";
import * as grpc from "@grpc/grpc-js";
import { findAssignments, MAX_ASSIGNMENTS_PER_PUSH, storeAssignments } from "./assignments-service.ts";
import { type ClientAuthenticator, type ClientRecord, hashSecret } from "./auth.ts";
import { DeliveryError, invalid } from "./errors.ts";
import { evaluateFlag, featureByKey } from "./evaluation-service.ts";
import { type IngestLimits, ingestEvaluations } from "./events-service.ts";
import type { DeliveryHub } from "./hub.ts";
import { toServiceError } from "./status.ts";
import type { StreamSession } from "./stream-session.ts";
import type { TraceObserver } from "./trace.ts";

export interface GrpcDeps {
  db: Db;
  auth: ClientAuthenticator;
  hub: DeliveryHub;
  ingestLimits: IngestLimits;
  /** A stream that sends no `subscribe` within this time is ended. */
  subscribeTimeoutMs: number;
  trace?: TraceObserver;
}

export const MAX_RECEIVE_BYTES = 8 * 1024 * 1024;
export const MAX_SEND_BYTES = 16 * 1024 * 1024;

/** Server options; `max_concurrent_streams` keeps grpc-js on Bun alive under thousands of calls per connection. */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  "grpc.max_concurrent_streams": 1000,
  "grpc.max_receive_message_length": MAX_RECEIVE_BYTES,
  "grpc.max_send_message_length": MAX_SEND_BYTES,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc-node.max_session_memory": 64,
};

export function createGrpcServer(deps: GrpcDeps): grpc.Server {
  const server = new grpc.Server(SERVER_OPTIONS);
  server.addService(serviceDefinition(), handlers(deps));
  return server;
}

/** The service with a StreamUpdates serializer that passes pre-encoded frames through. */
function serviceDefinition(): grpc.ServiceDefinition {
  const service = loadFluxgateProto().service;
  const stream = service.StreamUpdates;
  const encode = stream.responseSerialize;
  return {
    ...service,
    StreamUpdates: {
      ...stream,
      responseSerialize: (value: unknown) => (value instanceof Uint8Array ? Buffer.from(value) : encode(value)),
    },
  };
}

function handlers(deps: GrpcDeps): grpc.UntypedServiceImplementation {
  const { db, auth, hub } = deps;
  return {
    Evaluate: unary(async (req: EvaluateRequest) => {
      const client = await auth.authenticate(req.client_id, req.client_secret);
      const team = await hub.team(client.teamId);
      return evaluateFlag(team, client, {
        featureKey: req.feature_key,
        environment: req.environment_id,
        context: req.context,
      });
    }),
    GetFeatureByKey: unary(async (req: GetFeatureByKeyRequest) => {
      const client = await auth.authenticate(req.client_id, req.client_secret);
      const team = await hub.team(client.teamId);
      return { feature: featureByKey(team, client, req.feature_key), version: team.version };
    }),
    GetClientInfo: unary(async (req: GetClientInfoRequest) =>
      clientInfo(await auth.authenticate(req.client_id, req.client_secret)),
    ),
    ListUserAssignments: unary(async (req: ListUserFlagAssignmentsRequest) => {
      const client = await auth.authenticate(req.client_id, req.client_secret);
      const rows = await findAssignments(db, client, { featureId: req.feature_id, environmentId: req.environment_id });
      return {
        assignments: rows.map((r) => ({
          user_id: r.userId,
          feature_id: r.featureId,
          environment_id: r.environmentId,
          assigned: r.assigned,
          variant: r.variant ?? "",
        })),
      };
    }),
    PushEvaluationEvents: unary(async (req: PushEvaluationEventsRequest) => {
      const first = req.events[0];
      const client = await auth.authenticate(
        req.client_id || first?.client_id || "",
        req.client_secret || first?.client_secret || "",
      );
      const result = await ingestEvaluations(
        db,
        client,
        { batchId: req.batch_id, events: req.events, counters: req.counters },
        deps.ingestLimits,
        deps.trace,
      );
      return { message_id: result.batchId, processed_count: result.processedCount, duplicate: result.duplicate };
    }),
    PushUserAssignments: (
      call: grpc.ServerReadableStream<UserFlagAssignment, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => pushAssignments(deps, call, callback),
    StreamUpdates: (call: grpc.ServerDuplexStream<StreamRequest, Buffer>) => streamUpdates(deps, call),
  };
}

function unary<Req, Res>(fn: (req: Req) => Promise<Res>) {
  return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

function clientInfo(client: ClientRecord) {
  return {
    id: client.id,
    team_id: client.teamId,
    name: client.name,
    description: client.description,
    enabled: client.enabled,
    client_type: client.clientType,
    web_origins: client.clientType === "Web" ? client.webOrigins : [],
    environment_id: client.environmentId ?? "",
    environment_name: client.environmentName,
  };
}

/** Client stream: every message is held to the first message's credentials; rows are stored at the end. */
function pushAssignments(
  deps: GrpcDeps,
  call: grpc.ServerReadableStream<UserFlagAssignment, unknown>,
  callback: grpc.sendUnaryData<unknown>,
): void {
  const messages: UserFlagAssignment[] = [];
  let done = false;
  const finish = (error: unknown, value?: unknown) => {
    if (done) return;
    done = true;
    if (error) callback(toServiceError(error));
    else callback(null, value);
  };
  call.on("data", (m: UserFlagAssignment) => {
    if (done) return;
    if (messages.length >= MAX_ASSIGNMENTS_PER_PUSH) {
      finish(invalid(`at most ${MAX_ASSIGNMENTS_PER_PUSH} assignments per push`));
      return;
    }
    messages.push(m);
  });
  call.on("error", () => {
    done = true;
  });
  call.on("end", () => {
    if (done) return;
    const first = messages[0];
    if (!first) {
      finish(invalid("client_id is required"));
      return;
    }
    (async () => {
      const client = await deps.auth.authenticate(first.client_id, first.client_secret);
      const firstSecret = hashSecret(first.client_secret);
      for (const m of messages) {
        if (m.client_id && m.client_id.toLowerCase() !== client.id)
          throw invalid("every message must carry the first message's client");
        if (m.client_secret && hashSecret(m.client_secret) !== firstSecret) {
          throw new DeliveryError("UNAUTHENTICATED", "invalid client credentials");
        }
      }
      const result = await storeAssignments(deps.db, client, messages);
      return { message_id: crypto.randomUUID(), accepted_count: result.accepted, rejected_count: result.rejected };
    })().then(
      (ack) => finish(null, ack),
      (error) => finish(error),
    );
  });
}

/** StreamUpdates: `subscribe` first, then heartbeats (answered) and acks (ignored). */
function streamUpdates(deps: GrpcDeps, call: grpc.ServerDuplexStream<StreamRequest, Buffer>): void {
  let session: StreamSession | null = null;
  let subscribing = false;
  let ended = false;
  const fail = (error: unknown) => {
    if (ended) return;
    ended = true;
    session?.detach();
    call.emit("error", toServiceError(error));
  };
  const timeout = setTimeout(() => {
    if (!subscribing) fail(invalid("the first message must be subscribe"));
  }, deps.subscribeTimeoutMs);
  timeout.unref?.();

  call.on("data", (message: StreamRequest) => {
    if (ended) return;
    if (!subscribing) {
      subscribing = true;
      clearTimeout(timeout);
      const subscribe = message.payload === "subscribe" ? message.subscribe : null;
      if (!subscribe) {
        fail(invalid("the first message must be subscribe"));
        return;
      }
      const since = Number(subscribe.since_version) || 0;
      deps.auth
        .authenticate(subscribe.client_id, subscribe.client_secret)
        .then((client) =>
          deps.hub.subscribe(
            call as grpc.ServerDuplexStream<unknown, Buffer>,
            client,
            subscribe.client_secret,
            since,
            subscribe.compact_snapshot !== true ? "full" : subscribe.deflate_snapshot === true ? "deflate" : "compact",
          ),
        )
        .then((s) => {
          session = s;
          if (ended) s?.detach();
        }, fail);
      return;
    }
    if (message.payload === "heartbeat" && session) deps.hub.heartbeat(session);
    else if (message.payload === "subscribe") fail(invalid("already subscribed"));
  });
  call.on("end", () => {
    clearTimeout(timeout);
    if (ended) return;
    ended = true;
    if (session) session.end();
    else call.end();
  });
  call.on("cancelled", () => {
    ended = true;
    clearTimeout(timeout);
    session?.detach();
  });
  call.on("error", () => {
    ended = true;
    clearTimeout(timeout);
    session?.detach();
  });
}
