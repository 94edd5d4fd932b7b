/**
 * The flag model shared by engine, backend, edge and bench.
 *
 * A `Snapshot` is everything an evaluator needs for one team: plain JSON, self-contained
 * (context value lists are resolved into condition values by whoever builds it), so it can
 * travel over gRPC, be written to disk by the edge, and be compiled into a store.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Value type of a flag. Boolean flags have the implicit variants `on` (true) and `off` (false). */
export type ValueType = "boolean" | "string" | "number" | "json";

export interface Variant {
  key: string;
  value: JsonValue;
  /** Default weight (integer) used by a rule that serves a split without its own weights. */
  weight?: number;
}

export type Operator =
  | "in"
  | "not_in"
  | "equals"
  | "contains"
  | "starts_with"
  | "ends_with"
  | "regex"
  | "num_eq"
  | "num_lt"
  | "num_lte"
  | "num_gt"
  | "num_gte"
  | "semver_eq"
  | "semver_lt"
  | "semver_lte"
  | "semver_gt"
  | "semver_gte"
  | "date_before"
  | "date_after"
  | "ip_in_cidr";

export const OPERATORS: readonly Operator[] = [
  "in",
  "not_in",
  "equals",
  "contains",
  "starts_with",
  "ends_with",
  "regex",
  "num_eq",
  "num_lt",
  "num_lte",
  "num_gt",
  "num_gte",
  "semver_eq",
  "semver_lt",
  "semver_lte",
  "semver_gt",
  "semver_gte",
  "date_before",
  "date_after",
  "ip_in_cidr",
];

export type LogicOperator = "AND" | "OR";

export interface Condition {
  /** Key read from the evaluation context, e.g. `country`. */
  contextKey: string;
  operator: Operator;
  /** Operands as strings; single-operand operators use `values[0]`. */
  values: string[];
  negate?: boolean;
  caseInsensitive?: boolean;
}

export interface ConditionGroup {
  operator: LogicOperator;
  conditions: Condition[];
}

export interface SplitWeight {
  variant: string;
  /** Non-negative integer; the weights of one split total 1..1_000_000 (bucketing.md, Variant split). */
  weight: number;
}

/** What a rule serves to the users it admits. */
export type Serve = { kind: "on" } | { kind: "variant"; variant: string } | { kind: "split"; weights: SplitWeight[] };

export interface Rule {
  id: string;
  /** How the groups combine. No groups = the rule matches everyone. */
  groupsOperator: LogicOperator;
  groups: ConditionGroup[];
  /** 0..100 with at most 3 decimals (bucketing.md, Rollout decision). */
  rollout: number;
  serve: Serve;
}

export interface Stage {
  environmentId: string;
  /** Deployed = the stage's `enabled` bit: the workflow reached DEPLOYED (and not ROLLBACKED since). */
  deployed: boolean;
  /** Context key holding the sticky value; absent = first of `targetingKey`, `userId`. */
  bucketingKey?: string | null;
  /** Ordered by priority: the first rule that matches and admits the user wins. */
  rules: Rule[];
}

export interface Dependency {
  flagKey: string;
  /** Absent: the dependency must be on. Present: it must serve this variant. */
  variant?: string | null;
}

export interface Flag {
  key: string;
  id?: string;
  /** Bucketing salt; defaults to the key when the flag is created and never changes on rename. */
  salt: string;
  valueType: ValueType;
  /** Variants of non-boolean flags. Boolean flags use the implicit `on`/`off`. */
  variants: Variant[];
  /** Served for "on" results and when no rule matches (non-boolean flags). */
  defaultVariant?: string | null;
  /** Served when the flag is disabled (non-boolean flags); booleans serve `off` = false. */
  offVariant?: string | null;
  /** Kill switch engaged. */
  killed: boolean;
  /** Epoch ms of a scheduled kill; due when `now >= killAt`. */
  killAt?: number | null;
  dependencies: Dependency[];
  stages: Stage[];
  /** Edge keeps "once true, always true" per user when set (the original's behaviour). */
  sticky?: boolean;
}

export interface EnvironmentRef {
  id: string;
  name: string;
}

export interface Snapshot {
  /** `config_version` this snapshot reflects. */
  version: number;
  teamId?: string;
  environments: EnvironmentRef[];
  flags: Flag[];
}

/** Evaluation context: OpenFeature style, `targetingKey` plus attributes. */
export type EvaluationContext = Record<string, unknown>;

/** Closed vocabulary; OFREP's values plus PREREQUISITE_FAILED for dependencies. */
export type Reason = "STATIC" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "DEFAULT" | "PREREQUISITE_FAILED" | "ERROR";

export type ErrorCode = "FLAG_NOT_FOUND" | "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "GENERAL";

export interface EvaluationResult {
  /** The flag is on for this user: a rule (or a stage without rules) served it. */
  enabled: boolean;
  value: JsonValue;
  variant: string;
  reason: Reason;
  /** Id of the rule that served the result, when one did. */
  ruleId?: string;
  errorCode?: ErrorCode;
}
