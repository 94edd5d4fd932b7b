/** The decision trace both evaluators produce for `explain` (same shape, same steps). */
import type { EvaluationResult, Reason } from "./model.ts";

/** One checkpoint of an evaluation, in the order they were reached. */
export type TraceStep =
  | { step: "killed" }
  | { step: "scheduled_kill"; killAt: number; now: number }
  | DependencyStep
  | { step: "stage"; found: boolean; deployed: boolean; rules: number }
  | RuleStep
  | { step: "default" };

export interface DependencyStep {
  step: "dependency";
  flagKey: string;
  /** The variant required; null = the dependency must be on. */
  variant: string | null;
  satisfied: boolean;
  /** What the dependency served; null when it is missing or part of a cycle. */
  served: { enabled: boolean; variant: string; reason: Reason } | null;
  problem?: "missing" | "cycle";
}

export interface RuleStep {
  step: "rule";
  ruleId: string;
  /** Position in the stage's rules (priority order). */
  index: number;
  /** Whether the rule's conditions hold. */
  matched: boolean;
  /** How the rollout and split decided; present when the rule matched. */
  admission?: Admission;
}

export interface Admission {
  /** Rollout percentage and its bucket threshold `round(p * 1000)` (bucketing.md). */
  rollout: number;
  threshold: number;
  /** Context key the sticky value came from; null when none was present or none was needed. */
  stickyKey: string | null;
  /** `salt:value` hashed for the rollout; null when 100 % needed no hash or there was no sticky value. */
  hashInput: string | null;
  bucket: number | null;
  admitted: boolean;
  /** Set when the user was not admitted because the context had no sticky value. */
  noStickyValue?: true;
  /** The weighted split, when the rule serves one and the rollout admitted the user. */
  split?: { hashInput: string; bucket: number; totalWeight: number; variant: string };
}

/** A result with the steps that led to it. */
export interface Explanation {
  flagKey: string;
  environment: string;
  result: EvaluationResult;
  steps: TraceStep[];
}

/** The dependency step for a dependency's result. */
export function dependencyStep(
  flagKey: string,
  variant: string | null,
  satisfied: boolean,
  served: EvaluationResult | null,
  problem?: "missing" | "cycle",
): DependencyStep {
  const step: DependencyStep = {
    step: "dependency",
    flagKey,
    variant,
    satisfied,
    served: served && { enabled: served.enabled, variant: served.variant, reason: served.reason },
  };
  if (problem) step.problem = problem;
  return step;
}
