/** @fluxgate/engine: murmur3 bucketing, flag semantics, the reference evaluator and the compiled store. */
export {
  BUCKETING_VERSION,
  bucketOf,
  MAX_SPLIT_TOTAL,
  ROLLOUT_SCALE,
  ROLLOUT_SEED,
  rolloutBucket,
  rolloutThreshold,
  VARIANT_SEED,
  variantBucket,
} from "./bucketing.ts";
export { compileStore } from "./compile.ts";
export { DEFAULT_STICKY_KEYS, readAttribute } from "./context.ts";
export type { Admission, DependencyStep, Explanation, RuleStep, TraceStep } from "./explain.ts";
export * from "./model.ts";
export { type MurmurState, murmur3_32, murmur3Continue, murmur3Prefix } from "./murmur3.ts";
export { type EvaluateOptions, evaluate, explain } from "./reference.ts";
export { FLAG_NOT_FOUND } from "./results.ts";
export type { FlagEvaluation, FlagInfo, FlagStore } from "./store.ts";
export { type FlagProblem, SnapshotError, validateFlag, validateSnapshot } from "./validate.ts";
