/**
 * The reference evaluator: the semantics of engine/README.md written as plainly as possible.
 * The compiled store must return exactly what this returns (test/property.test.ts).
 */
import { ROLLOUT_SCALE, rolloutBucket, rolloutThreshold, variantBucket } from "./bucketing.ts";
import { asContext, stickyValue } from "./context.ts";
import { type Admission, dependencyStep, type Explanation, type TraceStep } from "./explain.ts";
import type { EnvironmentRef, EvaluationContext, EvaluationResult, Flag, Rule, SplitWeight, Stage } from "./model.ts";
import { matchCondition } from "./operators.ts";
import { defaultVariant, makeResult, offVariant, onVariant, splitWeights } from "./results.ts";

export interface EvaluateOptions {
  /** Looks up dependency flags by key; without it every dependency is missing (not satisfied). */
  flags?: (key: string) => Flag | undefined;
  /** Lets `environment` be a name as well as an id. */
  environments?: readonly EnvironmentRef[];
  /** Evaluation time in epoch ms, for scheduled kills; default `Date.now()`. */
  now?: number;
  /** When given, the decision steps are appended to it. */
  explain?: TraceStep[];
}

interface Run {
  environmentId: string;
  ctx: EvaluationContext;
  options: EvaluateOptions;
  /** Keys of the flags being evaluated up the dependency chain, to detect cycles. */
  visiting: Set<string>;
}

/** Evaluates one flag for a context in an environment (id or name). Never throws. */
export function evaluate(
  flag: Flag,
  environment: string,
  ctx: EvaluationContext,
  options: EvaluateOptions = {},
): EvaluationResult {
  const environmentId = resolveEnvironment(environment, options.environments);
  return evaluateFlag(flag, { environmentId, ctx: asContext(ctx), options, visiting: new Set() }, options.explain);
}

/** Evaluates one flag and returns the result with its decision trace. */
export function explain(
  flag: Flag,
  environment: string,
  ctx: EvaluationContext,
  options: EvaluateOptions = {},
): Explanation {
  const steps: TraceStep[] = [];
  const result = evaluate(flag, environment, ctx, { ...options, explain: steps });
  return { flagKey: flag.key, environment, result, steps };
}

/** An environment id for an id or a name; unknown text is taken as an id. */
function resolveEnvironment(environment: string, environments: readonly EnvironmentRef[] = []): string {
  if (environments.some((e) => e.id === environment)) return environment;
  return environments.find((e) => e.name === environment)?.id ?? environment;
}

function evaluateFlag(flag: Flag, run: Run, trace: TraceStep[] | undefined): EvaluationResult {
  const disabled = () => makeResult(flag, offVariant(flag), "DISABLED", false);
  if (flag.killed) {
    trace?.push({ step: "killed" });
    return disabled();
  }
  if (flag.killAt != null) {
    const now = run.options.now ?? Date.now();
    if (flag.killAt <= now) {
      trace?.push({ step: "scheduled_kill", killAt: flag.killAt, now });
      return disabled();
    }
  }
  if (!dependenciesSatisfied(flag, run, trace)) return makeResult(flag, offVariant(flag), "PREREQUISITE_FAILED", false);
  const stage = flag.stages.find((s) => s.environmentId === run.environmentId);
  trace?.push({ step: "stage", found: !!stage, deployed: !!stage?.deployed, rules: stage?.rules.length ?? 0 });
  if (!stage?.deployed) return disabled();
  if (stage.rules.length === 0) return makeResult(flag, onVariant(flag), "STATIC", true);
  return evaluateRules(flag, stage, run.ctx, trace);
}

/** Whether every dependency is satisfied: on, or serving the required variant; cycles never are. */
function dependenciesSatisfied(flag: Flag, run: Run, trace: TraceStep[] | undefined): boolean {
  run.visiting.add(flag.key);
  try {
    for (const dependency of flag.dependencies) {
      const wanted = dependency.variant ?? null;
      const target = run.options.flags?.(dependency.flagKey);
      const problem = !target ? "missing" : run.visiting.has(target.key) ? "cycle" : undefined;
      const served = problem ? null : evaluateFlag(target!, run, undefined);
      const satisfied = served !== null && (wanted === null ? served.enabled : served.variant === wanted);
      trace?.push(dependencyStep(dependency.flagKey, wanted, satisfied, served, problem));
      if (!satisfied) return false;
    }
    return true;
  } finally {
    run.visiting.delete(flag.key);
  }
}

/** Rules by priority: the first that matches and admits the user serves; otherwise the default. */
function evaluateRules(flag: Flag, stage: Stage, ctx: EvaluationContext, trace: TraceStep[] | undefined) {
  for (const [index, rule] of stage.rules.entries()) {
    const matched = ruleMatches(rule, ctx);
    if (!matched) {
      trace?.push({ step: "rule", ruleId: rule.id, index, matched });
      continue;
    }
    const admission = admit(flag, stage, rule, ctx);
    trace?.push({ step: "rule", ruleId: rule.id, index, matched, admission });
    if (!admission.admitted) continue;
    const variant = admission.split?.variant ?? (rule.serve.kind === "variant" ? rule.serve.variant : onVariant(flag));
    const reason = admission.split || admission.threshold < ROLLOUT_SCALE ? "SPLIT" : "TARGETING_MATCH";
    return makeResult(flag, variant, reason, true, rule.id);
  }
  trace?.push({ step: "default" });
  return makeResult(flag, defaultVariant(flag), "DEFAULT", false);
}

/** Groups combine with the rule's AND/OR, conditions with their group's; no groups match everyone. */
function ruleMatches(rule: Rule, ctx: EvaluationContext): boolean {
  const groupMatches = (group: Rule["groups"][number]) => {
    if (group.conditions.length === 0) return false;
    const holds = (c: (typeof group.conditions)[number]) => matchCondition(c, ctx);
    return group.operator === "OR" ? group.conditions.some(holds) : group.conditions.every(holds);
  };
  if (rule.groups.length === 0) return true;
  return rule.groupsOperator === "OR" ? rule.groups.some(groupMatches) : rule.groups.every(groupMatches);
}

/** The rollout decision, then the split (bucketing.md): both need a sticky value unless the rollout is 100 %. */
function admit(flag: Flag, stage: Stage, rule: Rule, ctx: EvaluationContext): Admission {
  const threshold = rolloutThreshold(rule.rollout);
  const rollout = threshold / 1000;
  const weights = splitWeights(flag, rule);
  if (threshold >= ROLLOUT_SCALE && !weights) {
    return { rollout, threshold, stickyKey: null, hashInput: null, bucket: null, admitted: true };
  }
  const sticky = stickyValue(ctx, stage.bucketingKey);
  if (!sticky) {
    return { rollout, threshold, stickyKey: null, hashInput: null, bucket: null, admitted: false, noStickyValue: true };
  }
  const salt = flag.salt || flag.key;
  const input = `${salt}:${sticky.value}`;
  const partial = threshold < ROLLOUT_SCALE;
  const bucket = partial ? rolloutBucket(salt, sticky.value) : null;
  const admitted = bucket === null || bucket < threshold;
  const admission: Admission = {
    rollout,
    threshold,
    stickyKey: sticky.key,
    hashInput: partial ? input : null,
    bucket,
    admitted,
  };
  if (!admitted || !weights) return admission;
  const totalWeight = weights.reduce((sum, w) => sum + w.weight, 0);
  const splitBucket = variantBucket(salt, sticky.value, totalWeight);
  const chosen = pickVariant(weights, splitBucket) ?? weights[weights.length - 1];
  const variant = chosen?.variant ?? defaultVariant(flag); // only an invalid (empty) split has no last weight
  admission.split = { hashInput: input, bucket: splitBucket, totalWeight, variant };
  return admission;
}

/** The first weight whose cumulative total exceeds the bucket (bucketing.md, Variant split). */
function pickVariant(weights: readonly SplitWeight[], bucket: number): SplitWeight | undefined {
  let cumulative = 0;
  for (const w of weights) {
    cumulative += w.weight;
    if (cumulative > bucket) return w;
  }
  return undefined;
}
