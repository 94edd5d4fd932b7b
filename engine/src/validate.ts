/** The checks a flag and a snapshot must pass before they are stored or compiled. */
import { MAX_SPLIT_TOTAL } from "./bucketing.ts";
import { parseCidr } from "./cidr.ts";
import type { Condition, Flag, JsonValue, Operator, Rule, Snapshot, SplitWeight, Stage } from "./model.ts";
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

/**
 * Collects one flag's problems. The field path of the item being checked is a stack of segments, turned into
 * text (`stages[0].rules[1]`) only when a problem is reported: a valid flag builds no field strings.
 */
class Checker {
  private readonly path: (string | number)[] = [];
  constructor(
    private readonly flagKey: string,
    readonly problems: FlagProblem[],
  ) {}

  /** A problem at the current path, or at field `leaf` below it. */
  report(message: string, leaf?: string): void {
    let field = "";
    for (const segment of this.path) {
      field = typeof segment === "number" ? `${field}[${segment}]` : field === "" ? segment : `${field}.${segment}`;
    }
    if (leaf !== undefined) field = field === "" ? leaf : `${field}.${leaf}`;
    this.problems.push({ flagKey: this.flagKey, field, message });
  }

  /** A problem at a field named from the flag's root. */
  reportAt(field: string, message: string): void {
    this.problems.push({ flagKey: this.flagKey, field, message });
  }

  enter(segment: string | number): void {
    this.path.push(segment);
  }

  leave(): void {
    this.path.pop();
  }

  /** Whether `list` (field `leaf`) is an array; reports "must be an array" when it is not. */
  isList(list: unknown, leaf: string): list is unknown[] {
    if (Array.isArray(list)) return true;
    this.report("must be an array", leaf);
    return false;
  }
}

const BOOLEAN_VARIANTS: ReadonlySet<string> = new Set(["on", "off"]);
const VALUE_TYPES: ReadonlySet<string> = new Set(["boolean", "string", "number", "json"]);

/**
 * The problems of one flag (empty = valid). With `allFlags`, dependencies are checked too: they must exist,
 * name a variant the dependency has, and not lead back to this flag.
 */
export function validateFlag(flag: Flag, allFlags?: readonly Flag[]): FlagProblem[] {
  const byKey = allFlags && new Map(allFlags.map((f) => [f?.key, f]));
  byKey?.set(flag?.key, flag);
  const problems: FlagProblem[] = [];
  checkFlag(flag, byKey, problems);
  return problems;
}

/** Appends the problems of `flag` to `problems`. */
function checkFlag(flag: Flag, byKey: Map<string, Flag> | undefined, problems: FlagProblem[]): void {
  const c = new Checker(typeof flag?.key === "string" ? flag.key : "", problems);
  if (typeof flag !== "object" || flag === null) {
    c.report("a flag must be an object");
    return;
  }
  if (typeof flag.key !== "string" || !flag.key) c.report("must be a non-empty string", "key");
  if (flag.salt != null && typeof flag.salt !== "string") c.report("must be a string", "salt");
  if (!VALUE_TYPES.has(flag.valueType)) c.report("unknown value type", "valueType");
  if (flag.killAt != null && !Number.isFinite(flag.killAt)) c.report("must be epoch milliseconds", "killAt");
  const variants = checkVariants(flag, c);
  const stages = flag.stages;
  if (c.isList(stages, "stages")) {
    const environments = seenSet(stages);
    c.enter("stages");
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i];
      c.enter(i);
      if (repeated(stages, i, environmentOf, environments, "items")) {
        c.report("a second stage for this environment", "environmentId");
      }
      checkStage(flag, stage, variants, c);
      c.leave();
    }
    c.leave();
  }
  const dependencies = flag.dependencies;
  if (c.isList(dependencies, "dependencies")) {
    for (let i = 0; i < dependencies.length; i++) {
      const d = dependencies[i];
      if (typeof d?.flagKey !== "string" || !d.flagKey)
        c.reportAt(`dependencies[${i}].flagKey`, "must be a non-empty string");
    }
    if (byKey && dependencies.length > 0) checkDependencies(flag, byKey, c);
  }
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
  for (const flag of snapshot.flags) checkFlag(flag, byKey, problems);
  return problems;
}

/** Variant keys of the flag (`on`/`off` for booleans), after checking non-boolean variants. */
function checkVariants(flag: Flag, c: Checker): ReadonlySet<string> {
  if (flag.valueType === "boolean") return BOOLEAN_VARIANTS;
  const keys = new Set<string>();
  const variants = flag.variants;
  if (c.isList(variants, "variants")) {
    c.enter("variants");
    for (let i = 0; i < variants.length; i++) {
      const v = variants[i];
      c.enter(i);
      if (typeof v?.key !== "string" || !v.key) c.report("must be a non-empty string", "key");
      else if (keys.has(v.key)) c.report(`duplicate variant "${v.key}"`, "key");
      keys.add(v?.key);
      if (!valueFits(flag.valueType, v?.value)) c.report(`is not a ${flag.valueType} value`, "value");
      if (v?.weight != null && !isWeight(v.weight)) c.report("must be a non-negative integer", "weight");
      c.leave();
    }
    c.leave();
    if (variants.length === 0) c.report(`a ${flag.valueType} flag needs variants`, "variants");
  }
  for (const field of ["defaultVariant", "offVariant"] as const) {
    const v = flag[field];
    if (v != null && !keys.has(v)) c.report(`unknown variant "${v}"`, field);
  }
  return keys;
}

function checkStage(flag: Flag, stage: Stage, variants: ReadonlySet<string>, c: Checker): void {
  if (typeof stage?.environmentId !== "string" || !stage.environmentId) {
    c.report("must be a non-empty string", "environmentId");
  }
  if (typeof stage?.deployed !== "boolean") c.report("must be a boolean", "deployed");
  if (stage?.bucketingKey != null && (typeof stage.bucketingKey !== "string" || !stage.bucketingKey)) {
    c.report("must be a non-empty string or null", "bucketingKey");
  }
  const rules = stage?.rules;
  if (!c.isList(rules, "rules")) return;
  const ids = seenSet(rules);
  c.enter("rules");
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    c.enter(i);
    const duplicate = repeated(rules, i, idOf, ids, "items");
    if (typeof rule?.id !== "string") c.report("must be a string", "id");
    else if (duplicate) c.report(`duplicate rule id "${rule.id}"`, "id");
    checkRule(flag, rule, variants, c);
    c.leave();
  }
  c.leave();
}

function checkRule(flag: Flag, rule: Rule, variants: ReadonlySet<string>, c: Checker): void {
  if (!isLogic(rule.groupsOperator)) c.report("must be AND or OR", "groupsOperator");
  const p = rule.rollout;
  if (typeof p !== "number" || !(p >= 0 && p <= 100)) c.report("must be a number in 0..100", "rollout");
  else if (Math.abs(p * 1000 - Math.round(p * 1000)) > 1e-6) c.report("has more than 3 decimals", "rollout");
  const groups = rule.groups;
  if (c.isList(groups, "groups")) {
    c.enter("groups");
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      c.enter(i);
      if (!isLogic(group?.operator)) c.report("must be AND or OR", "operator");
      const conditions = group?.conditions;
      if (Array.isArray(conditions) && conditions.length === 0) {
        c.report("a group needs at least one condition", "conditions");
      }
      if (c.isList(conditions, "conditions")) {
        c.enter("conditions");
        for (let j = 0; j < conditions.length; j++) {
          c.enter(j);
          checkCondition(conditions[j], c);
          c.leave();
        }
        c.leave();
      }
      c.leave();
    }
    c.leave();
  }
  c.enter("serve");
  checkServe(flag, rule, variants, c);
  c.leave();
}

function checkServe(flag: Flag, rule: Rule, variants: ReadonlySet<string>, c: Checker): void {
  const serve = rule.serve;
  if (serve?.kind === "on") return;
  if (serve?.kind === "variant") {
    if (!variants.has(serve.variant)) c.report(`unknown variant "${serve.variant}"`, "variant");
    return;
  }
  if (serve?.kind !== "split" || !Array.isArray(serve.weights)) {
    c.report("must be on, a variant or a split");
    return;
  }
  const weights = splitWeights(flag, rule) ?? [];
  // Own weights are reported under serve.weights, the variants' default weights under `variants`.
  const own = serve.weights.length > 0;
  const chosen = own ? seenSet(weights) : null;
  if (own) c.enter("weights");
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!(i in weights)) continue; // a hole, skipped as forEach/reduce skip it
    const w = weights[i];
    if (own) {
      c.enter(i);
      if (!variants.has(w?.variant)) c.report(`unknown variant "${w?.variant}"`, "variant");
      if (repeated(weights, i, variantOf, chosen, "skipped")) c.report(`"${w?.variant}" appears twice`, "variant");
      if (!isWeight(w?.weight)) c.report("must be a non-negative integer", "weight");
      c.leave();
    } else if (!isWeight(w?.weight)) c.reportAt(`variants[${i}].weight`, "must be a non-negative integer");
    if (isWeight(w?.weight)) total += w.weight;
  }
  if (total < 1 || total > MAX_SPLIT_TOTAL) {
    const message = `weights must total 1..${MAX_SPLIT_TOTAL}, not ${total}`;
    if (own) c.report(message);
    else c.reportAt("variants", message);
  }
  if (own) c.leave();
}

function checkCondition(condition: Condition, c: Checker): void {
  if (typeof condition?.contextKey !== "string" || !condition.contextKey) {
    c.report("must be a non-empty string", "contextKey");
  }
  const operator = condition?.operator;
  if (!OPERATOR_SET.has(operator)) {
    c.report(`unknown operator "${operator}"`, "operator");
    return;
  }
  const values = condition.values;
  if (!Array.isArray(values) || !values.every(isString)) {
    c.report("must be a list of strings", "values");
    return;
  }
  if (SINGLE_OPERAND.has(operator) && values.length !== 1) {
    c.report(`${operator} takes exactly one value`, "values");
    return;
  }
  const valid = OPERAND_CHECKS.get(operator);
  if (valid === undefined) return; // any string will do (in, not_in, equals, contains, …)
  for (let i = 0; i < values.length; i++) {
    if (!valid(values[i])) {
      c.report(`"${values[i]}" is not a valid ${operator} operand`, `values[${i}]`);
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

function checkDependencies(flag: Flag, byKey: Map<string, Flag>, c: Checker): void {
  flag.dependencies.forEach((d, i) => {
    const target = byKey.get(d?.flagKey);
    if (!target) c.reportAt(`dependencies[${i}].flagKey`, `unknown flag "${d?.flagKey}"`);
    else if (d.variant != null && !variantKeys(target).has(d.variant)) {
      c.reportAt(`dependencies[${i}].variant`, `flag "${d.flagKey}" has no variant "${d.variant}"`);
    }
  });
  const cycle = findCycle(flag, byKey);
  if (cycle) c.reportAt(`dependencies[${cycle.index}].flagKey`, `dependency cycle ${cycle.path.join(" -> ")}`);
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

/**
 * Whether `get(list[i])` equals (SameValueZero, as a Set compares) the value of an earlier item. Short lists are
 * scanned (a hole is an item for checkList-style loops, skipped for forEach-style ones, whose callers never pass
 * one as `i`); a list longer than SCAN_LIMIT comes with `seen`, a Set its caller made, and every value passed in is
 * added to it.
 */
function repeated<T>(
  list: readonly T[],
  i: number,
  get: (item: T | undefined) => unknown,
  seen: Set<unknown> | null,
  holes: "items" | "skipped",
): boolean {
  const value = get(list[i]);
  if (seen !== null) {
    const found = seen.has(value);
    seen.add(value);
    return found;
  }
  for (let j = 0; j < i; j++) {
    if ((holes === "items" || j in list) && sameValueZero(get(list[j]), value)) return true;
  }
  return false;
}

/** A Set for `repeated` when the list is too long to scan. */
function seenSet(list: readonly unknown[]): Set<unknown> | null {
  return list.length > SCAN_LIMIT ? new Set() : null;
}

const SCAN_LIMIT = 16;

/** SameValueZero, the equality of Set and Array.prototype.includes. */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

const environmentOf = (stage: Stage | undefined) => stage?.environmentId;
const idOf = (rule: Rule | undefined) => rule?.id;
const variantOf = (weight: SplitWeight | undefined) => weight?.variant;

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
