/** The checks a flag and a snapshot must pass before they are stored or compiled. */
import { MAX_SPLIT_TOTAL } from "./bucketing.ts";
import { parseCidr } from "./cidr.ts";
import type { Condition, Flag, JsonValue, Operator, Rule, Snapshot, Stage } from "./model.ts";
import { OPERATORS } from "./model.ts";
import { SINGLE_OPERAND } from "./operators.ts";
import { parseDate, parseNumber } from "./parse.ts";
import { splitWeights } from "./results.ts";
import { parseSemver } from "./semver.ts";

/** One problem with a flag: which flag, which field (a path like `stages[0].rules[1].rollout`), what is wrong. */
export interface FlagProblem {
  flagKey: string;
  field: string;
  message: string;
}

/** Thrown by `compileStore` for an invalid snapshot; names the first problem's flag and field. */
export class SnapshotError extends Error {
  readonly flagKey: string;
  readonly field: string;
  readonly problems: readonly FlagProblem[];
  constructor(problems: readonly FlagProblem[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    super(`invalid flag "${first.flagKey}", ${first.field}: ${first.message}${more}`);
    this.name = "SnapshotError";
    this.flagKey = first.flagKey;
    this.field = first.field;
    this.problems = problems;
  }
}

type Report = (field: string, message: string) => void;

const BOOLEAN_VARIANTS: ReadonlySet<string> = new Set(["on", "off"]);
const VALUE_TYPES: ReadonlySet<string> = new Set(["boolean", "string", "number", "json"]);

/**
 * The problems of one flag (empty = valid). With `allFlags`, dependencies are checked too: they must exist,
 * name a variant the dependency has, and not lead back to this flag.
 */
export function validateFlag(flag: Flag, allFlags?: readonly Flag[]): FlagProblem[] {
  const byKey = allFlags && new Map(allFlags.map((f) => [f?.key, f]));
  byKey?.set(flag?.key, flag);
  return checkFlag(flag, byKey);
}

function checkFlag(flag: Flag, byKey: Map<string, Flag> | undefined): FlagProblem[] {
  const problems: FlagProblem[] = [];
  const key = typeof flag?.key === "string" ? flag.key : "";
  const report: Report = (field, message) => problems.push({ flagKey: key, field, message });
  if (typeof flag !== "object" || flag === null) {
    report("", "a flag must be an object");
    return problems;
  }
  if (!key) report("key", "must be a non-empty string");
  if (flag.salt != null && typeof flag.salt !== "string") report("salt", "must be a string");
  if (!VALUE_TYPES.has(flag.valueType)) report("valueType", "unknown value type");
  if (flag.killAt != null && !Number.isFinite(flag.killAt)) report("killAt", "must be epoch milliseconds");
  const variants = checkVariants(flag, report);
  const environments = new Set<string>();
  checkList(flag.stages, "stages", report, (stage, field) => {
    if (environments.has(stage?.environmentId)) report(`${field}.environmentId`, "a second stage for this environment");
    environments.add(stage?.environmentId);
    checkStage(flag, stage, field, variants, report);
  });
  checkList(flag.dependencies, "dependencies", report, (d, field) => {
    if (typeof d?.flagKey !== "string" || !d.flagKey) report(`${field}.flagKey`, "must be a non-empty string");
  });
  if (byKey && Array.isArray(flag.dependencies)) checkDependencies(flag, byKey, report);
  return problems;
}

/** The problems of a whole snapshot: every flag's, plus duplicate keys. */
export function validateSnapshot(snapshot: Snapshot): FlagProblem[] {
  if (!Array.isArray(snapshot?.flags)) return [{ flagKey: "", field: "flags", message: "must be an array" }];
  if (!Array.isArray(snapshot.environments)) {
    return [{ flagKey: "", field: "environments", message: "must be an array" }];
  }
  const problems: FlagProblem[] = [];
  const byKey = new Map<string, Flag>();
  for (const flag of snapshot.flags) {
    if (byKey.has(flag?.key)) problems.push({ flagKey: flag.key, field: "key", message: "duplicate flag key" });
    else byKey.set(flag?.key, flag);
  }
  for (const flag of snapshot.flags) problems.push(...checkFlag(flag, byKey));
  return problems;
}

/** Variant keys of the flag (`on`/`off` for booleans), after checking non-boolean variants. */
function checkVariants(flag: Flag, report: Report): ReadonlySet<string> {
  if (flag.valueType === "boolean") return BOOLEAN_VARIANTS;
  const keys = new Set<string>();
  checkList(flag.variants, "variants", report, (v, field) => {
    if (typeof v?.key !== "string" || !v.key) report(`${field}.key`, "must be a non-empty string");
    else if (keys.has(v.key)) report(`${field}.key`, `duplicate variant "${v.key}"`);
    keys.add(v?.key);
    if (!valueFits(flag.valueType, v?.value)) report(`${field}.value`, `is not a ${flag.valueType} value`);
    if (v?.weight != null && !isWeight(v.weight)) report(`${field}.weight`, "must be a non-negative integer");
  });
  if (Array.isArray(flag.variants) && flag.variants.length === 0)
    report("variants", `a ${flag.valueType} flag needs variants`);
  for (const field of ["defaultVariant", "offVariant"] as const) {
    const v = flag[field];
    if (v != null && !keys.has(v)) report(field, `unknown variant "${v}"`);
  }
  return keys;
}

function checkStage(flag: Flag, stage: Stage, field: string, variants: ReadonlySet<string>, report: Report): void {
  if (typeof stage?.environmentId !== "string" || !stage.environmentId) {
    report(`${field}.environmentId`, "must be a non-empty string");
  }
  if (typeof stage?.deployed !== "boolean") report(`${field}.deployed`, "must be a boolean");
  if (stage?.bucketingKey != null && (typeof stage.bucketingKey !== "string" || !stage.bucketingKey)) {
    report(`${field}.bucketingKey`, "must be a non-empty string or null");
  }
  const ids = new Set<string>();
  checkList(stage?.rules, `${field}.rules`, report, (rule, ruleField) => {
    if (typeof rule?.id !== "string") report(`${ruleField}.id`, "must be a string");
    else if (ids.has(rule.id)) report(`${ruleField}.id`, `duplicate rule id "${rule.id}"`);
    ids.add(rule?.id);
    checkRule(flag, rule, ruleField, variants, report);
  });
}

function checkRule(flag: Flag, rule: Rule, field: string, variants: ReadonlySet<string>, report: Report): void {
  if (!isLogic(rule.groupsOperator)) report(`${field}.groupsOperator`, "must be AND or OR");
  const p = rule.rollout;
  if (typeof p !== "number" || !(p >= 0 && p <= 100)) report(`${field}.rollout`, "must be a number in 0..100");
  else if (Math.abs(p * 1000 - Math.round(p * 1000)) > 1e-6) report(`${field}.rollout`, "has more than 3 decimals");
  checkList(rule.groups, `${field}.groups`, report, (group, groupField) => {
    if (!isLogic(group?.operator)) report(`${groupField}.operator`, "must be AND or OR");
    if (Array.isArray(group?.conditions) && group.conditions.length === 0) {
      report(`${groupField}.conditions`, "a group needs at least one condition");
    }
    checkList(group?.conditions, `${groupField}.conditions`, report, (c, f) => checkCondition(c, f, report));
  });
  checkServe(flag, rule, `${field}.serve`, variants, report);
}

function checkServe(flag: Flag, rule: Rule, field: string, variants: ReadonlySet<string>, report: Report): void {
  const serve = rule.serve;
  if (serve?.kind === "on") return;
  if (serve?.kind === "variant") {
    if (!variants.has(serve.variant)) report(`${field}.variant`, `unknown variant "${serve.variant}"`);
    return;
  }
  if (serve?.kind !== "split" || !Array.isArray(serve.weights)) {
    report(field, "must be on, a variant or a split");
    return;
  }
  const weights = splitWeights(flag, rule) ?? [];
  const own = serve.weights.length > 0;
  const where = own ? `${field}.weights` : "variants";
  const chosen = new Set<string>();
  weights.forEach((w, i) => {
    if (own && !variants.has(w?.variant)) report(`${where}[${i}].variant`, `unknown variant "${w?.variant}"`);
    if (own && chosen.has(w?.variant)) report(`${where}[${i}].variant`, `"${w?.variant}" appears twice`);
    chosen.add(w?.variant);
    if (!isWeight(w?.weight)) report(`${where}[${i}].weight`, "must be a non-negative integer");
  });
  const total = weights.reduce((sum, w) => sum + (isWeight(w?.weight) ? w.weight : 0), 0);
  if (total < 1 || total > MAX_SPLIT_TOTAL) report(where, `weights must total 1..${MAX_SPLIT_TOTAL}, not ${total}`);
}

function checkCondition(c: Condition, field: string, report: Report): void {
  if (typeof c?.contextKey !== "string" || !c.contextKey) report(`${field}.contextKey`, "must be a non-empty string");
  if (!OPERATOR_SET.has(c?.operator)) {
    report(`${field}.operator`, `unknown operator "${c?.operator}"`);
    return;
  }
  if (!Array.isArray(c.values) || !c.values.every(isString)) {
    report(`${field}.values`, "must be a list of strings");
    return;
  }
  if (SINGLE_OPERAND.has(c.operator) && c.values.length !== 1) {
    report(`${field}.values`, `${c.operator} takes exactly one value`);
    return;
  }
  const valid = OPERAND_CHECKS.get(c.operator);
  if (valid === undefined) return; // any string will do (in, not_in, equals, contains, …)
  for (let i = 0; i < c.values.length; i++) {
    if (!valid(c.values[i])) {
      report(`${field}.values[${i}]`, `"${c.values[i]}" is not a valid ${c.operator} operand`);
      return;
    }
  }
}

const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);

function isString(v: unknown): boolean {
  return typeof v === "string";
}

/** Whether an operand parses for its operator (compile on write: the store pre-parses exactly these). */
const OPERAND_CHECKS: ReadonlyMap<Operator, (v: string) => boolean> = new Map(
  OPERATORS.flatMap((operator): [Operator, (v: string) => boolean][] => {
    if (operator === "regex") return [[operator, regexValid]];
    if (operator.startsWith("num_")) return [[operator, (v) => !Number.isNaN(parseNumber(v))]];
    if (operator.startsWith("semver_")) return [[operator, (v) => parseSemver(v) !== undefined]];
    if (operator.startsWith("date_")) return [[operator, (v) => !Number.isNaN(parseDate(v))]];
    if (operator === "ip_in_cidr") return [[operator, (v) => parseCidr(v) !== undefined]];
    return [];
  }),
);

function regexValid(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function checkDependencies(flag: Flag, byKey: Map<string, Flag>, report: Report): void {
  flag.dependencies.forEach((d, i) => {
    const target = byKey.get(d?.flagKey);
    if (!target) report(`dependencies[${i}].flagKey`, `unknown flag "${d?.flagKey}"`);
    else if (d.variant != null && !variantKeys(target).has(d.variant)) {
      report(`dependencies[${i}].variant`, `flag "${d.flagKey}" has no variant "${d.variant}"`);
    }
  });
  const cycle = findCycle(flag, byKey);
  if (cycle) report(`dependencies[${cycle.index}].flagKey`, `dependency cycle ${cycle.path.join(" -> ")}`);
}

/** A dependency path that leads from `flag` back to it, with the index of the dependency it starts with. */
function findCycle(flag: Flag, byKey: Map<string, Flag>): { index: number; path: string[] } | undefined {
  const done = new Set<string>();
  const walk = (key: string, path: string[]): string[] | undefined => {
    if (key === flag.key) return [...path, key];
    if (done.has(key)) return undefined;
    done.add(key);
    for (const d of byKey.get(key)?.dependencies ?? []) {
      const found = walk(d?.flagKey, [...path, key]);
      if (found) return found;
    }
    return undefined;
  };
  for (const [index, d] of flag.dependencies.entries()) {
    const path = walk(d?.flagKey, [flag.key]);
    if (path) return { index, path };
  }
  return undefined;
}

function variantKeys(flag: Flag): ReadonlySet<string> {
  return flag.valueType === "boolean" ? BOOLEAN_VARIANTS : new Set(flag.variants?.map((v) => v.key));
}

function checkList<T>(list: T[] | undefined, field: string, report: Report, check: (item: T, field: string) => void) {
  if (!Array.isArray(list)) report(field, "must be an array");
  else for (let i = 0; i < list.length; i++) check(list[i], `${field}[${i}]`);
}

function isLogic(op: unknown): boolean {
  return op === "AND" || op === "OR";
}

function isWeight(w: unknown): w is number {
  return typeof w === "number" && Number.isInteger(w) && w >= 0;
}

/** Whether a variant value has the flag's value type (json takes any JSON value). */
function valueFits(type: Flag["valueType"], value: JsonValue | undefined): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return value !== undefined;
}
