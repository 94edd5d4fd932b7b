/**
 * What the edge needs from the backend, per client credential. `sync-adapter.ts` implements it over the
 * gRPC sync client (edge/src/sync); nothing else in the edge knows about gRPC.
 */
import type { AnalyticsBatch } from "../analytics/types.ts";
import type { ClientInfo } from "../auth/clients.ts";
import type { Snapshot } from "../store/engine.ts";
import type { SnapshotDelta } from "../store/tenants.ts";

export interface Credentials {
  /** "" when the request carried only a secret (the backend finds the client by its secret). */
  clientId: string;
  clientSecret: string;
}

/** A sticky assignment as stored by the backend (proto UserFlagAssignment). */
export interface StoredAssignment {
  userId: string;
  featureId: string;
  environmentId: string;
  assigned: boolean;
  variant: string;
}

/** Why a backend call failed, reduced to what the edge decides on. */
export type UpstreamErrorKind = "UNAUTHENTICATED" | "PERMISSION_DENIED" | "UNAVAILABLE" | "INVALID_ARGUMENT" | "OTHER";

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }

  /** Worth retrying later: the backend was away or slow, not a verdict on the request. */
  get retryable(): boolean {
    return this.kind === "UNAVAILABLE" || this.kind === "OTHER";
  }

  /** The backend rejected the credentials themselves (unknown, wrong, disabled, or malformed such as no client id). */
  get rejectsCredentials(): boolean {
    return this.kind === "UNAUTHENTICATED" || this.kind === "PERMISSION_DENIED" || this.kind === "INVALID_ARGUMENT";
  }
}

export interface StreamHandlers {
  /** A full snapshot of the client's team (replace the store). */
  onSnapshot(snapshot: Snapshot): void;
  /** Changes on top of the last snapshot or delta. */
  onDelta(delta: SnapshotDelta): void;
  /** Stream up or down; `error` says why it went down. */
  onStateChange(connected: boolean, error?: UpstreamError): void;
}

/** One client's link to the backend: its update stream plus the unary calls made with its credentials. */
export interface Connection {
  start(): void;
  stop(): Promise<void>;
  getClientInfo(): Promise<ClientInfo>;
  listUserAssignments(): Promise<StoredAssignment[]>;
  pushUserAssignments(assignments: StoredAssignment[]): Promise<void>;
  pushEvaluationEvents(batch: AnalyticsBatch): Promise<void>;
}

export interface Upstream {
  /** A link for these credentials; `sinceVersion` > 0: the edge holds the team at that version (send changes since). */
  connect(credentials: Credentials, handlers: StreamHandlers, sinceVersion: number): Connection;
}
