/**
 * TypeScript shapes of the `featuretoggle` messages as the loader yields them (LOADER_OPTIONS:
 * snake_case, int64 as number, enums as names, every field present). Outgoing messages may omit
 * fields: proto3 defaults fill them on the wire.
 */

export interface ContextPair {
  key: string;
  value: string;
}

export interface EvaluateRequest {
  feature_key: string;
  environment_id: string;
  context: ContextPair[];
  feature_id: string;
  client_id: string;
  client_secret: string;
}

export interface EvaluateResponse {
  enabled: boolean;
  variant: string;
  value_json: string;
  reason: string;
  error_code: string;
  version: number;
  rule_id: string;
}

export interface GetFeatureByKeyRequest {
  feature_key: string;
  client_id: string;
  client_secret: string;
}

export interface GetFeatureByKeyResponse {
  feature: FeatureFull | null;
  version: number;
}

export interface CriterionContext {
  key: string;
  entries: string[];
}

export interface StageCriterionFull {
  id: string;
  context_key: string;
  context: CriterionContext | null;
  rollout_percentage: number;
}

export interface FeatureStageFull {
  id: string;
  environment_id: string;
  order_index: number;
  position: string;
  enabled: boolean;
  bucketing_key: string;
  criterias: StageCriterionFull[];
}

export interface FeatureDependencyFull {
  feature_id: string;
  depends_on_id: string;
  depends_on_key: string;
  variant: string;
}

export interface VariantFull {
  key: string;
  value_json: string;
  weight: number;
}

export interface FeatureFull {
  id: string;
  key: string;
  description: string;
  feature_type: string;
  team_id: string;
  created_at: string;
  kill_switch_enabled: boolean;
  kill_switch_activated_at: string;
  rollback_scheduled_at: string;
  stages: FeatureStageFull[];
  dependencies: FeatureDependencyFull[];
  salt: string;
  value_type: string;
  variants: VariantFull[];
  default_variant: string;
  off_variant: string;
  killed: boolean;
  kill_at_unix_ms: number;
  sticky: boolean;
  flag_json: string;
}

export interface SubscribeRequest {
  client_id: string;
  client_secret: string;
  feature_keys: string[];
  environment_id: string;
  since_version: number;
  compact_snapshot: boolean;
  deflate_snapshot: boolean;
}

export interface Ack {
  message_id: string;
  accepted_count: number;
  rejected_count: number;
}

export interface Heartbeat {
  ts_unix_ms: number;
  version: number;
}

export interface StreamRequest {
  subscribe?: SubscribeRequest | null;
  ack?: Ack | null;
  heartbeat?: Heartbeat | null;
  /** Which member of the `payload` oneof is set. */
  payload?: "subscribe" | "ack" | "heartbeat";
}

export interface EnvironmentRefMessage {
  id: string;
  name: string;
}

export type UpdateAction = "UPSERT" | "DELETE" | "SNAPSHOT" | "HEARTBEAT" | "ERROR" | "SNAPSHOT_BEGIN" | "SNAPSHOT_END";

export interface FeatureUpdate {
  message_id: string;
  action: UpdateAction;
  feature: FeatureFull | null;
  feature_key: string;
  error: string;
  version: number;
  team_id: string;
  environments: EnvironmentRefMessage[];
  snapshot_size: number;
  more_follows: boolean;
  feature_id: string;
  flags_json: string;
  /** Raw deflate of a `flags_json` chunk (deflate_snapshot subscriptions). */
  flags_json_deflate: Uint8Array;
}

export interface UserFlagAssignment {
  user_id: string;
  feature_id: string;
  environment_id: string;
  assigned: boolean;
  client_id: string;
  client_secret: string;
  variant: string;
}

export interface ListUserFlagAssignmentsRequest {
  client_id: string;
  client_secret: string;
  environment_id: string;
  feature_id: string;
}

export interface ListUserFlagAssignmentsResponse {
  assignments: UserFlagAssignment[];
}

export interface FeatureEvaluationEvent {
  feature_key: string;
  environment_id: string;
  client_id: string;
  client_secret: string;
  evaluation_result: boolean;
  evaluation_context: ContextPair[];
  user_context: string;
  evaluated_at_unix_ms: number;
  prior_assignment: boolean;
  variant: string;
}

export interface EvaluationCounter {
  feature_key: string;
  environment_id: string;
  variant: string;
  result: boolean;
  minute_unix_ms: number;
  evaluation_count: number;
  cached_count: number;
}

export interface PushEvaluationEventsRequest {
  events: FeatureEvaluationEvent[];
  batch_id: string;
  client_id: string;
  client_secret: string;
  counters: EvaluationCounter[];
}

export interface PushEvaluationEventsResponse {
  message_id: string;
  processed_count: number;
  duplicate: boolean;
}

export interface GetClientInfoRequest {
  client_id: string;
  client_secret: string;
}

export interface GetClientInfoResponse {
  id: string;
  team_id: string;
  name: string;
  description: string;
  enabled: boolean;
  client_type: string;
  web_origins: string[];
  environment_id: string;
  environment_name: string;
}

/** A message to send: any field may be left out, at any depth. */
export type Outgoing<T> = {
  [K in keyof T]?: OutgoingField<NonNullable<T[K]>>;
};

type OutgoingField<F> = F extends (infer U)[]
  ? OutgoingField<U>[]
  : F extends string | number | boolean | Uint8Array
    ? F
    : Outgoing<F> | null;
