/**
 * Rule input → stored rules. Shapes and limits are checked here; what a rule means (operators, operands,
 * rollout, variants, weights) is checked by the engine's `validateFlag` on the flag as stored (service.ts), so
 * the backend never commits a rule an edge would refuse. Field paths follow the argument: `rules[1].groups[0].conditions[2].values`.
 */
import { randomUUID } from "node:crypto";
import type { Condition, LogicOperator, Serve } from "@fluxgate/engine";
import { badInput } from "../errors";
import * as v from "../validation";

export interface ConditionInput {
  contextKey: string;
  operator: string;
  values?: string[] | null;
  contextId?: string | null;
  negate?: boolean | null;
  caseInsensitive?: boolean | null;
}

export interface RuleInput {
  groupsOperator?: LogicOperator | null;
  groups?: { operator: LogicOperator; conditions: ConditionInput[] }[] | null;
  rollout?: number | null;
  serve?: {
    kind: "ON" | "VARIANT" | "SPLIT";
    variant?: string | null;
    weights?: { variant: string; weight: number }[] | null;
  };
}

export interface ServeInput {
  kind: "ON" | "VARIANT" | "SPLIT";
  variant?: string | null;
  weights?: { variant: string; weight: number }[] | null;
}

export interface CriterionInput {
  contextKey: string;
  contextId: string;
  rolloutPercentage: number;
}

/** A condition as stored: literal values and/or the context list it reads (resolved when flags are built). */
export type StoredCondition = Omit<Condition, "operator"> & { operator: string; contextId?: string };

/** A rule ready to store; `groups` is the `stage_rules.groups` JSON. */
export interface StoredRule {
  id: string;
  groupsOperator: LogicOperator;
  groups: { operator: LogicOperator; conditions: StoredCondition[] }[];
  rollout: number;
  serve: Serve;
  contextIds: string[];
}

export const RULE_LIMITS = { rules: 100, groups: 20, conditions: 50, values: 1000, valueLength: 1000 };

/** Operators a context list may feed: list operators whose operands are any text. */
const LIST_OPERATORS = new Set(["in", "not_in", "contains", "starts_with", "ends_with"]);

export function parseRules(rules: RuleInput[]): StoredRule[] {
  limit("rules", rules.length, RULE_LIMITS.rules);
  return rules.map((rule, i) => {
    const field = `rules[${i}]`;
    const input = rule.groups ?? [];
    limit(`${field}.groups`, input.length, RULE_LIMITS.groups);
    const groups = input.map((group, g) => {
      limit(`${field}.groups[${g}].conditions`, group.conditions.length, RULE_LIMITS.conditions);
      return {
        operator: group.operator,
        conditions: group.conditions.map((c, k) => parseCondition(`${field}.groups[${g}].conditions[${k}]`, c)),
      };
    });
    return {
      id: randomUUID(),
      groupsOperator: rule.groupsOperator ?? "AND",
      groups,
      rollout: rollout(`${field}.rollout`, rule.rollout ?? 100),
      serve: parseServe(`${field}.serve`, rule.serve ?? { kind: "ON" }),
      contextIds: [...new Set(groups.flatMap((g) => g.conditions.flatMap((c) => (c.contextId ? [c.contextId] : []))))],
    };
  });
}

/** The original's criteria: each is the rule `contextKey in <context's values>` with that rollout, serving on. */
export function criteriaToRules(criteria: CriterionInput[]): StoredRule[] {
  limit("criteria", criteria.length, RULE_LIMITS.rules);
  return criteria.map((criterion, i) => {
    const field = `criteria[${i}]`;
    const contextId = v.uuid(`${field}.contextId`, criterion.contextId);
    return {
      id: randomUUID(),
      groupsOperator: "AND",
      groups: [
        {
          operator: "AND",
          conditions: [
            {
              contextKey: v.text(`${field}.contextKey`, criterion.contextKey, { min: 1, max: 100 }),
              operator: "in",
              values: [],
              contextId,
            },
          ],
        },
      ],
      rollout: rollout(`${field}.rolloutPercentage`, criterion.rolloutPercentage),
      serve: { kind: "on" },
      contextIds: [contextId],
    };
  });
}

function parseCondition(field: string, c: ConditionInput): StoredCondition {
  const operator = c.operator.trim().toLowerCase();
  const values = c.values ?? [];
  limit(`${field}.values`, values.length, RULE_LIMITS.values);
  values.forEach((value, i) => {
    if (value.length > RULE_LIMITS.valueLength) {
      throw badInput(
        `${field}.values[${i}]`,
        `${field}.values[${i}] is longer than ${RULE_LIMITS.valueLength} characters`,
      );
    }
  });
  const condition: StoredCondition = {
    contextKey: v.text(`${field}.contextKey`, c.contextKey, { min: 1, max: 100 }),
    operator,
    values,
  };
  if (c.contextId) {
    condition.contextId = v.uuid(`${field}.contextId`, c.contextId);
    if (!LIST_OPERATORS.has(operator)) {
      throw badInput(
        `${field}.contextId`,
        `${field}.contextId: a context list can feed only ${[...LIST_OPERATORS].join(", ")}, not ${operator}`,
      );
    }
  } else if (values.length === 0) {
    throw badInput(`${field}.values`, `${field}.values: give at least one value or a contextId`);
  }
  if (c.negate) condition.negate = true;
  if (c.caseInsensitive) condition.caseInsensitive = true;
  return condition;
}

function parseServe(field: string, serve: ServeInput): Serve {
  if (serve.kind === "ON") return { kind: "on" };
  if (serve.kind === "VARIANT") {
    if (!serve.variant) throw badInput(`${field}.variant`, `${field}.variant is required to serve a variant`);
    return { kind: "variant", variant: serve.variant };
  }
  return { kind: "split", weights: (serve.weights ?? []).map((w) => ({ variant: w.variant, weight: w.weight })) };
}

/**
 * 0..100 with at most 3 decimals. The engine checks this too, but `stage_rules.rollout` is numeric(6,3): it would
 * round or overflow before the engine sees the stored flag, so it is checked before writing.
 */
function rollout(field: string, value: number): number {
  if (!(value >= 0 && value <= 100)) throw badInput(field, `${field} must be a number in 0..100 (got ${value})`);
  if (Math.abs(value * 1000 - Math.round(value * 1000)) > 1e-6) {
    throw badInput(field, `${field} has more than 3 decimals (got ${value})`);
  }
  return value;
}

function limit(field: string, count: number, max: number): void {
  if (count > max) throw badInput(field, `${field}: at most ${max} (got ${count})`);
}
