/** Builders for test flags, and a helper that evaluates with both evaluators and insists they agree. */
import { expect } from "bun:test";
import {
  type Condition,
  compileStore,
  type EvaluationContext,
  type EvaluationResult,
  evaluate,
  explain,
  type Flag,
  type Operator,
  type Rule,
  type Snapshot,
  type Stage,
} from "../src/index.ts";

export const ENVIRONMENTS = [
  { id: "env-prod", name: "production" },
  { id: "env-stg", name: "staging" },
];

/** A condition `contextKey operator values`. */
export function cond(
  contextKey: string,
  operator: Operator,
  values: string[],
  options: Pick<Condition, "negate" | "caseInsensitive"> = {},
): Condition {
  return { contextKey, operator, values, ...options };
}

/** A rule: by default no groups (everyone), 100 %, serving on. */
export function rule(partial: Partial<Rule> & { conditions?: Condition[] } = {}): Rule {
  const { conditions, ...rest } = partial;
  return {
    id: "r1",
    groupsOperator: "AND",
    groups: conditions ? [{ operator: "AND", conditions }] : [],
    rollout: 100,
    serve: { kind: "on" },
    ...rest,
  };
}

/** A deployed production stage with these rules. */
export function stage(rules: Rule[], partial: Partial<Stage> = {}): Stage {
  return { environmentId: "env-prod", deployed: true, rules, ...partial };
}

/** A boolean flag with one deployed production stage. */
export function flag(partial: Partial<Flag> & { key: string }, rules: Rule[] = []): Flag {
  return {
    salt: partial.key,
    valueType: "boolean",
    variants: [],
    killed: false,
    dependencies: [],
    stages: [stage(rules)],
    ...partial,
  };
}

/** A string flag with variants control/treatment/holdout, default control. */
export function variantFlag(partial: Partial<Flag> & { key: string }, rules: Rule[] = []): Flag {
  return flag(
    {
      valueType: "string",
      variants: [
        { key: "control", value: "blue" },
        { key: "treatment", value: "green" },
        { key: "holdout", value: "grey" },
      ],
      defaultVariant: "control",
      ...partial,
    },
    rules,
  );
}

export function snapshot(flags: Flag[], version = 1): Snapshot {
  return { version, environments: ENVIRONMENTS, flags };
}

/**
 * Evaluates `flags[0]` (or the flag named `key`) with the reference evaluator and the compiled store,
 * checks results and traces agree, and returns the result.
 */
export function both(
  flags: Flag[],
  ctx: EvaluationContext,
  options: { key?: string; environment?: string; now?: number } = {},
): EvaluationResult {
  const target = flags.find((f) => f.key === (options.key ?? flags[0].key))!;
  const environment = options.environment ?? "env-prod";
  const byKey = new Map(flags.map((f) => [f.key, f]));
  const refOptions = { flags: (k: string) => byKey.get(k), environments: ENVIRONMENTS, now: options.now };
  const reference = evaluate(target, environment, ctx, refOptions);
  const store = compileStore(snapshot(flags));
  const compiled = store.evaluate(target.key, environment, ctx, options.now);
  expect(compiled).toEqual(reference);
  expect(store.explain(target.key, environment, ctx, options.now)).toEqual(
    explain(target, environment, ctx, refOptions),
  );
  return reference;
}
