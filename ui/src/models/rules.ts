/**
 * Targeting rules as the editor holds them (engine `Rule`, plus conditions that take their values from a
 * context), the operators' vocabulary, and validation by the engine itself before anything is sent.
 */
import {
  type Condition,
  type Flag,
  type LogicOperator,
  OPERATORS,
  type Operator,
  type Rule,
  type Serve,
  type ValueType,
  validateFlag,
} from "@fluxgate/engine";

export type { LogicOperator, Operator, Serve };

/** A condition whose values are typed in, or taken from a context (`contextId`). */
export interface ConditionDraft extends Condition {
  contextId?: string | null;
}

export interface GroupDraft {
  operator: LogicOperator;
  conditions: ConditionDraft[];
}

export interface RuleDraft extends Omit<Rule, "groups"> {
  groups: GroupDraft[];
}

interface OperatorInfo {
  label: string;
  /** Reads only the first value (the engine's single-operand operators). */
  single: boolean;
  /** Honours "ignore case". */
  text: boolean;
  placeholder: string;
}

const info = (label: string, single: boolean, text: boolean, placeholder: string): OperatorInfo => ({
  label,
  single,
  text,
  placeholder,
});

export const OPERATOR_INFO: Record<Operator, OperatorInfo> = {
  in: info("is one of", false, true, "one value per line"),
  not_in: info("is not one of", false, true, "one value per line"),
  equals: info("equals", true, true, "value"),
  contains: info("contains any of", false, true, "one value per line"),
  starts_with: info("starts with any of", false, true, "one value per line"),
  ends_with: info("ends with any of", false, true, "one value per line"),
  regex: info("matches regex", true, true, "^beta-.*$"),
  num_eq: info("= (number)", true, false, "42"),
  num_lt: info("< (number)", true, false, "42"),
  num_lte: info("≤ (number)", true, false, "42"),
  num_gt: info("> (number)", true, false, "42"),
  num_gte: info("≥ (number)", true, false, "42"),
  semver_eq: info("= (version)", true, false, "1.4.0"),
  semver_lt: info("< (version)", true, false, "1.4.0"),
  semver_lte: info("≤ (version)", true, false, "1.4.0"),
  semver_gt: info("> (version)", true, false, "1.4.0"),
  semver_gte: info("≥ (version)", true, false, "1.4.0"),
  date_before: info("is before (date)", true, false, "2026-12-31T00:00:00Z"),
  date_after: info("is after (date)", true, false, "2026-12-31T00:00:00Z"),
  ip_in_cidr: info("IP is in any of", false, false, "10.0.0.0/8, one per line"),
};

/** Operators in the order the editor lists them. */
export const OPERATOR_ORDER: readonly Operator[] = OPERATORS;

let sequence = 0;
/** A client-side id for a rule not saved yet (the server assigns the real one). */
export function draftId(): string {
  sequence += 1;
  return `new-${sequence}`;
}

export function isDraftId(id: string): boolean {
  return id.startsWith("new-");
}

export function newCondition(): ConditionDraft {
  return { contextKey: "", operator: "in", values: [], negate: false, caseInsensitive: false, contextId: null };
}

export function newGroup(): GroupDraft {
  return { operator: "AND", conditions: [newCondition()] };
}

export function newRule(): RuleDraft {
  return { id: draftId(), groupsOperator: "AND", groups: [newGroup()], rollout: 100, serve: { kind: "on" } };
}

/** Moves the item at `from` to `to` (both clamped); returns a new array. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  if (from < 0 || from >= list.length) return next;
  const target = Math.max(0, Math.min(list.length - 1, to));
  const [item] = next.splice(from, 1);
  next.splice(target, 0, item);
  return next;
}

/** Values as typed (one per line, blanks while typing) to values as stored: trimmed, no blanks. */
export function cleanRules(rules: readonly RuleDraft[]): RuleDraft[] {
  return rules.map((rule) => ({
    ...rule,
    groups: rule.groups.map((group) => ({
      ...group,
      conditions: group.conditions.map((c) => ({
        ...c,
        contextKey: c.contextKey.trim(),
        values: c.values.map((v) => v.trim()).filter((v) => v !== ""),
      })),
    })),
  }));
}

/** The flag fields validation needs: value type and variants. */
export interface FlagShape {
  key: string;
  valueType: ValueType;
  variants: { key: string; value: Flag["variants"][number]["value"]; weight?: number }[];
  defaultVariant?: string | null;
  offVariant?: string | null;
}

/** Engine conditions: a context's values stand in for `contextId`. */
export function resolveConditions(rules: readonly RuleDraft[], contextValues: (id: string) => string[]): Rule[] {
  return rules.map((rule) => ({
    ...rule,
    groups: rule.groups.map((group) => ({
      operator: group.operator,
      conditions: group.conditions.map(({ contextId, ...condition }) => ({
        ...condition,
        values: contextId ? contextValues(contextId) : condition.values,
      })),
    })),
  }));
}

/**
 * Problems of a stage's rules, keyed by path inside the rule list (`[0].groups[1].conditions[0].values`),
 * as the engine reports them: the same checks the server runs before it stores a rule.
 */
export function ruleProblems(
  flag: FlagShape,
  rules: readonly RuleDraft[],
  contextValues: (id: string) => string[],
): Record<string, string> {
  const problems: Record<string, string> = {};
  rules = cleanRules(rules);
  rules.forEach((rule, i) => {
    rule.groups.forEach((group, g) => {
      group.conditions.forEach((c, k) => {
        const at = `[${i}].groups[${g}].conditions[${k}]`;
        if (!c.contextKey) problems[`${at}.contextKey`] = "Name the context attribute to test";
        if (!c.contextId && c.values.length === 0) problems[`${at}.values`] = "Enter at least one value";
      });
    });
  });
  const engineFlag: Flag = {
    key: flag.key || "flag",
    salt: flag.key || "flag",
    valueType: flag.valueType,
    variants: flag.variants,
    defaultVariant: flag.defaultVariant ?? null,
    offVariant: flag.offVariant ?? null,
    killed: false,
    dependencies: [],
    stages: [{ environmentId: "stage", deployed: false, rules: resolveConditions(rules, contextValues) }],
  };
  for (const problem of validateFlag(engineFlag)) {
    const match = /^stages\[0\]\.rules(\[\d+\].*)$/.exec(problem.field);
    const path = match ? match[1].replace(/\.values\[\d+\]$/, ".values") : problem.field;
    problems[path] ??= sentence(path, problem.message);
  }
  return problems;
}

const SUBJECTS: Record<string, string> = {
  rollout: "Rollout",
  values: "Value",
  operator: "Operator",
  contextKey: "Attribute",
  variant: "Variant",
  weights: "Weights",
  weight: "Weight",
  serve: "What the rule serves",
  groupsOperator: "Group logic",
  conditions: "Group",
};

/** The engine's terse "must be a number in 0..100" as "Rollout must be a number in 0..100". */
function sentence(path: string, message: string): string {
  const last = /([A-Za-z]+)(\[\d+\])?$/.exec(path)?.[1] ?? "";
  const subject = SUBJECTS[last];
  return subject && !/^[A-Z"]/.test(message) ? `${subject} ${message}` : message;
}

/** Share of each weight in a split, in percent with up to 3 decimals. */
export function sharePercent(weight: number, total: number): number {
  return total > 0 ? Math.round((weight / total) * 100_000) / 1000 : 0;
}
