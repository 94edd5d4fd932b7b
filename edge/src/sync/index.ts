/** The edge's sync with the backend: update stream (snapshots + deltas) and the unary calls. */
export { type BackoffPolicy, jitteredDelay, refusalDelay } from "./backoff.ts";
export { decodeFlag } from "./flag-decode.ts";
export {
  createSyncClient,
  type PushEvaluationEventsInput,
  type SyncClient,
  type SyncClientOptions,
  type SyncError,
} from "./sync-client.ts";
export { DEFAULT_RETRY, isRetryable, type RetryPolicy } from "./unary.ts";
