/**
 * The edge's link to the backend: one StreamUpdates subscription kept alive, turned into complete
 * snapshots and ordered deltas of engine flags, plus the unary calls the edge needs.
 *
 * Nothing here blocks a caller: `start()` returns at once, callbacks fire from the stream, failures
 * are reported through `onStateChange` and retried in the background.
 */

import { inflateRawSync } from "node:zlib";
import type { EnvironmentRef, Flag, Snapshot } from "@fluxgate/engine";
import type {
  Ack,
  EvaluationCounter,
  FeatureEvaluationEvent,
  FeatureUpdate,
  GetClientInfoResponse,
  ListUserFlagAssignmentsResponse,
  Outgoing,
  PushEvaluationEventsResponse,
  StreamRequest,
  UserFlagAssignment,
} from "@fluxgate/proto";
import * as grpc from "@grpc/grpc-js";
import { type BackoffPolicy, jitteredDelay, refusalDelay } from "./backoff.ts";
import { createBackendClient } from "./channel.ts";
import { decodeFlag, decodeFlags } from "./flag-decode.ts";
import { FlagState } from "./flag-state.ts";
import { callClientStream, callUnary, DEFAULT_RETRY, type RetryPolicy, withRetry } from "./unary.ts";

export interface SyncError {
  /** gRPC status code, or null for a protocol problem on our side. */
  code: grpc.status | null;
  message: string;
  /** The backend refused the credentials (UNAUTHENTICATED / PERMISSION_DENIED): retried only at the max delay. */
  refused: boolean;
}

export interface SyncClientOptions {
  /** `http://host:port`, `https://host:port` or `host:port`. */
  backendUrl: string;
  clientId: string;
  clientSecret: string;
  /** A snapshot the edge already holds (e.g. from disk): the first subscribe asks only for what changed since. */
  initialSnapshot?: Snapshot;
  /** Without `initialSnapshot`: the version the edge holds (deltas then reach `onDelta` only). */
  sinceVersion?: number;
  /** A complete snapshot: replace everything. Called only once the whole snapshot has arrived. */
  onSnapshot(snapshot: Snapshot): void;
  /** Flags changed (upserts, by key) or removed (deletes, keys) as of `version`, applied in order. */
  onDelta?(upserts: Flag[], deletes: string[], version: number): void;
  /** Connected = subscribed and in sync; false with the error that broke the link. */
  onStateChange?(connected: boolean, error?: SyncError): void;
  /** Reconnect backoff (default 1 s → 30 s, full jitter). */
  backoff?: BackoffPolicy;
  /** Heartbeat sent to the backend (default 15 s). */
  heartbeatMs?: number;
  /** No message for this long: the stream is presumed dead and reopened (default 45 s). */
  staleAfterMs?: number;
  /** Unary calls: attempts, backoff and per-attempt deadline (default 4 attempts, 250 ms → 5 s, 5 s deadline). */
  retry?: Partial<RetryPolicy>;
  /** Deadline of one attempt of the pushes, which carry large batches (default 30 s). */
  pushTimeoutMs?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

export interface PushEvaluationEventsInput {
  /** UUID; reuse it when re-sending the same batch so the backend stores it once. */
  batchId: string;
  events: Outgoing<FeatureEvaluationEvent>[];
  counters?: Outgoing<EvaluationCounter>[];
}

export interface SyncClient {
  /** Opens the subscription (idempotent); returns immediately. */
  start(): void;
  /** Closes the subscription and the channel. */
  stop(): Promise<void>;
  readonly connected: boolean;
  /** Version of the state held (0 = none yet). */
  readonly version: number;
  /** The complete current state, or null before the first snapshot. */
  current(): Snapshot | null;
  getClientInfo(): Promise<GetClientInfoResponse>;
  listUserAssignments(filter?: { featureId?: string; environmentId?: string }): Promise<UserFlagAssignment[]>;
  pushUserAssignments(batch: Outgoing<UserFlagAssignment>[]): Promise<Ack>;
  pushEvaluationEvents(input: PushEvaluationEventsInput): Promise<PushEvaluationEventsResponse>;
}

type UpdateCall = grpc.ClientDuplexStream<Outgoing<StreamRequest>, FeatureUpdate>;

const REFUSED = new Set<number>([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);

export function createSyncClient(options: SyncClientOptions): SyncClient {
  return new StreamSync(options);
}

class StreamSync implements SyncClient {
  private readonly client: grpc.Client;
  private readonly state = new FlagState();
  private readonly backoff: BackoffPolicy;
  private readonly retry: RetryPolicy;
  private running = false;
  private stopped = false;
  private call: UpdateCall | null = null;
  private isConnected = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt = 0;
  /** A snapshot being received. */
  private pending: { version: number; teamId: string; environments: EnvironmentRef[]; flags: Flag[] } | null = null;
  /** Deltas of one change set (`more_follows`) waiting for its last message. */
  private batch = { upserts: [] as Flag[], deletes: [] as { key: string; id: string }[] };
  /** A resync was asked on this connection and the gap is still there: next time ask for a snapshot. */
  private resyncs = 0;
  private sinceVersion: number;

  constructor(private readonly options: SyncClientOptions) {
    this.client = createBackendClient(options.backendUrl, options.channelOptions);
    this.backoff = options.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    if (options.initialSnapshot) this.state.replace(options.initialSnapshot);
    this.sinceVersion = options.initialSnapshot?.version ?? options.sinceVersion ?? 0;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get version(): number {
    return Math.max(this.state.version, this.sinceVersion);
  }

  current(): Snapshot | null {
    return this.state.snapshot();
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.closeCall();
    this.client.close();
  }

  // --- update stream -------------------------------------------------------------------------

  private connect(): void {
    if (!this.running) return;
    const call = (this.client as unknown as { StreamUpdates(): UpdateCall }).StreamUpdates();
    this.call = call;
    this.pending = null;
    this.batch = { upserts: [], deletes: [] };
    this.lastMessageAt = Date.now();
    call.on("data", (update: FeatureUpdate) => {
      if (this.call !== call) return;
      this.lastMessageAt = Date.now();
      this.safely(() => this.handle(update));
    });
    call.on("error", (error: grpc.ServiceError) => this.disconnected(call, error));
    call.on("end", () => this.disconnected(call, null));
    call.write({
      subscribe: {
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        since_version: this.version,
        compact_snapshot: true,
        deflate_snapshot: true,
      },
    });
    const heartbeatMs = this.options.heartbeatMs ?? 15_000;
    const staleAfterMs = this.options.staleAfterMs ?? 45_000;
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastMessageAt > staleAfterMs) {
        this.disconnected(call, {
          code: grpc.status.DEADLINE_EXCEEDED,
          details: "no message from the backend",
        } as grpc.ServiceError);
        return;
      }
      call.write({ heartbeat: { ts_unix_ms: Date.now(), version: this.version } });
    }, heartbeatMs);
    this.heartbeatTimer.unref?.();
  }

  private handle(update: FeatureUpdate): void {
    switch (update.action) {
      case "SNAPSHOT_BEGIN":
        this.pending = {
          version: update.version,
          teamId: update.team_id,
          environments: update.environments,
          flags: [],
        };
        return;
      case "SNAPSHOT":
        if (this.pending && update.flags_json_deflate?.length) {
          this.pending.flags.push(...decodeFlags(inflateRawSync(update.flags_json_deflate).toString("utf8")));
        } else if (this.pending && update.flags_json) this.pending.flags.push(...decodeFlags(update.flags_json));
        else if (this.pending && update.feature) this.pending.flags.push(decodeFlag(update.feature));
        else if (update.feature) this.delta(update); // an original-style snapshot: per-flag upserts
        return;
      case "SNAPSHOT_END":
        if (this.pending) this.applySnapshot(this.pending);
        return;
      case "UPSERT":
      case "DELETE":
        this.delta(update);
        return;
      case "HEARTBEAT":
        this.heartbeat(update.version);
        return;
      case "ERROR":
        this.resync(`backend error: ${update.error}`);
        return;
    }
  }

  private applySnapshot(pending: NonNullable<typeof this.pending>): void {
    this.pending = null;
    const snapshot: Snapshot = {
      version: pending.version,
      teamId: pending.teamId,
      environments: pending.environments.map((e) => ({ id: e.id, name: e.name })),
      flags: pending.flags,
    };
    this.state.replace(snapshot);
    this.sinceVersion = 0;
    this.options.onSnapshot(snapshot);
    this.synced();
  }

  private delta(update: FeatureUpdate): void {
    if (update.action === "DELETE") this.batch.deletes.push({ key: update.feature_key, id: update.feature_id });
    else if (update.feature) this.batch.upserts.push(decodeFlag(update.feature));
    if (update.more_follows) return;
    const { upserts, deletes } = this.batch;
    this.batch = { upserts: [], deletes: [] };
    const changed = this.state.apply(upserts, deletes, update.version);
    this.options.onDelta?.(changed.upserts, changed.deletes, this.version);
  }

  /** A heartbeat tells the team's version: ahead of ours means we missed something. */
  private heartbeat(version: number): void {
    if (version > this.version) {
      this.resync(`gap: backend at version ${version}, edge at ${this.version}`);
      return;
    }
    this.synced();
  }

  private synced(): void {
    this.resyncs = 0;
    this.attempt = 0;
    if (this.isConnected) return;
    this.isConnected = true;
    this.options.onStateChange?.(true);
  }

  /** Reopens the stream at once: deltas since our version, or a snapshot if a resync did not close the gap. */
  private resync(reason: string): void {
    this.resyncs++;
    if (this.resyncs > 1) {
      this.state.clear();
      this.sinceVersion = 0;
    }
    console.warn(`edge sync: resync (${reason})`);
    this.closeCall();
    this.connect();
  }

  private disconnected(call: UpdateCall, error: grpc.ServiceError | null): void {
    if (this.call !== call) return;
    this.closeCall();
    if (!this.running) return;
    const code = error?.code ?? grpc.status.UNAVAILABLE;
    const refused = REFUSED.has(code);
    const report: SyncError = { code, message: error?.details || error?.message || "stream ended", refused };
    const wasConnected = this.isConnected;
    this.isConnected = false;
    if (wasConnected || refused || this.attempt === 0) this.safely(() => this.options.onStateChange?.(false, report));
    const delay = refused ? refusalDelay(this.backoff) : jitteredDelay(this.backoff, this.attempt);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref?.();
  }

  private closeCall(): void {
    clearInterval(this.heartbeatTimer);
    const call = this.call;
    this.call = null;
    this.pending = null;
    if (call) {
      call.removeAllListeners("data");
      call.on("error", () => {}); // the cancellation reports CANCELLED: expected
      call.cancel();
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      console.error("edge sync: update handling failed", error);
      if (this.call) this.resync("update handling failed");
    }
  }

  // --- unary calls ---------------------------------------------------------------------------

  private get creds() {
    return { client_id: this.options.clientId, client_secret: this.options.clientSecret };
  }

  private unary<Res>(method: string, request: object, policy: RetryPolicy = this.retry): Promise<Res> {
    return withRetry(
      (deadline) => callUnary<object, Res>(this.client, method, request, deadline),
      policy,
      () => this.stopped,
    );
  }

  private get pushPolicy(): RetryPolicy {
    return { ...this.retry, timeoutMs: this.options.pushTimeoutMs ?? 30_000 };
  }

  getClientInfo(): Promise<GetClientInfoResponse> {
    return this.unary("GetClientInfo", this.creds);
  }

  async listUserAssignments(
    filter: { featureId?: string; environmentId?: string } = {},
  ): Promise<UserFlagAssignment[]> {
    const response = await this.unary<ListUserFlagAssignmentsResponse>("ListUserAssignments", {
      ...this.creds,
      feature_id: filter.featureId ?? "",
      environment_id: filter.environmentId ?? "",
    });
    return response.assignments;
  }

  pushUserAssignments(batch: Outgoing<UserFlagAssignment>[]): Promise<Ack> {
    const messages = batch.map((m, i) => (i === 0 ? { ...m, ...this.creds } : m));
    if (messages.length === 0) return Promise.resolve({ message_id: "", accepted_count: 0, rejected_count: 0 });
    return withRetry(
      (deadline) => callClientStream<object, Ack>(this.client, "PushUserAssignments", messages, deadline),
      this.pushPolicy,
      () => this.stopped,
    );
  }

  pushEvaluationEvents(input: PushEvaluationEventsInput): Promise<PushEvaluationEventsResponse> {
    return this.unary(
      "PushEvaluationEvents",
      {
        ...this.creds,
        batch_id: input.batchId,
        events: input.events,
        counters: input.counters ?? [],
      },
      this.pushPolicy,
    );
  }
}
