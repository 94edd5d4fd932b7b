/** What each operator means, written plainly: the reference semantics of one condition. */
import { cidrContains, parseCidr, parseIp } from "./cidr.ts";
import { readAttribute } from "./context.ts";
import type { Condition, EvaluationContext, Operator } from "./model.ts";
import { parseDate, parseNumber } from "./parse.ts";
import { compareSemver, parseSemver } from "./semver.ts";

/** Operators that read only `values[0]`; the others test the attribute against every value. */
export const SINGLE_OPERAND: ReadonlySet<Operator> = new Set<Operator>([
  "equals",
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
]);

/** Operators that honour `caseInsensitive`. */
export const STRING_OPERATORS: ReadonlySet<Operator> = new Set<Operator>([
  "in",
  "not_in",
  "equals",
  "contains",
  "starts_with",
  "ends_with",
  "regex",
]);

/**
 * Whether a condition holds for a context. A missing attribute makes it false, negated or not, except
 * `not_in`, which holds for a missing attribute (and so fails when negated). An attribute the operator
 * cannot read (a non-number for `num_lt`, a bad semver, date or IP) also makes it false, negated or not.
 */
export function matchCondition(condition: Condition, ctx: EvaluationContext): boolean {
  const attribute = readAttribute(ctx, condition.contextKey);
  if (attribute === undefined) return condition.operator === "not_in" && !condition.negate;
  const result = applyOperator(condition.operator, attribute, condition.values, condition.caseInsensitive === true);
  return result === undefined ? false : result !== (condition.negate === true);
}

/** The operator's verdict on a present attribute; `undefined` when it cannot judge (invalid input). */
export function applyOperator(
  operator: Operator,
  attribute: string,
  values: readonly string[],
  caseInsensitive: boolean,
): boolean | undefined {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const a = fold(attribute);
  const folded = () => values.map(fold);
  switch (operator) {
    case "in":
      return folded().includes(a);
    case "not_in":
      return !folded().includes(a);
    case "equals":
      return a === fold(values[0]);
    case "contains":
      return folded().some((v) => a.includes(v));
    case "starts_with":
      return folded().some((v) => a.startsWith(v));
    case "ends_with":
      return folded().some((v) => a.endsWith(v));
    case "regex":
      return testRegex(values[0], attribute, caseInsensitive);
    case "num_eq":
    case "num_lt":
    case "num_lte":
    case "num_gt":
    case "num_gte":
      return compareWith(operator, parseNumber(attribute) - parseNumber(values[0]));
    case "semver_eq":
    case "semver_lt":
    case "semver_lte":
    case "semver_gt":
    case "semver_gte":
      return semverVerdict(operator, attribute, values[0]);
    case "date_before":
      return compareWith("num_lt", parseDate(attribute) - parseDate(values[0]));
    case "date_after":
      return compareWith("num_gt", parseDate(attribute) - parseDate(values[0]));
    case "ip_in_cidr":
      return ipVerdict(attribute, values);
    default:
      return undefined;
  }
}

/** Maps a difference `a - b` (NaN = incomparable) to the verdict of a comparison operator. */
export function compareWith(operator: Operator, difference: number): boolean | undefined {
  if (Number.isNaN(difference)) return undefined;
  switch (operator) {
    case "num_eq":
    case "semver_eq":
      return difference === 0;
    case "num_lt":
    case "semver_lt":
      return difference < 0;
    case "num_lte":
    case "semver_lte":
      return difference <= 0;
    case "num_gt":
    case "semver_gt":
      return difference > 0;
    default:
      return difference >= 0;
  }
}

function testRegex(pattern: string | undefined, attribute: string, caseInsensitive: boolean): boolean | undefined {
  try {
    return new RegExp(pattern ?? "", caseInsensitive ? "i" : "").test(attribute);
  } catch {
    return undefined;
  }
}

function semverVerdict(operator: Operator, attribute: string, operand: string | undefined): boolean | undefined {
  const a = parseSemver(attribute);
  const b = parseSemver(operand ?? "");
  return a && b ? compareWith(operator, Math.sign(compareSemver(a, b))) : undefined;
}

function ipVerdict(attribute: string, values: readonly string[]): boolean | undefined {
  const cidrs = values.map(parseCidr);
  const family = parseIp(attribute); // after parseCidr: parseIp's words are what cidrContains reads
  if (family === 0) return undefined;
  return cidrs.some((cidr) => cidr !== undefined && cidrContains(cidr, family));
}
