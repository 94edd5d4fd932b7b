/** Compiled conditions: operands pre-parsed at compile time, evaluated by a switch over opcodes. */
import { type Cidr, cidrContains, parseIp } from "./cidr.ts";
import {
  compareOpcode,
  OP_CONTAINS,
  OP_DATE_AFTER,
  OP_DATE_BEFORE,
  OP_ENDS_WITH,
  OP_EQUALS,
  OP_IN,
  OP_IP_IN_CIDR,
  OP_NOT_IN,
  OP_NUM_EQ,
  OP_NUM_GTE,
  OP_REGEX,
  OP_SEMVER_EQ,
  OP_SEMVER_GTE,
  OP_STARTS_WITH,
} from "./opcodes.ts";
import { parseDate, parseNumber } from "./parse.ts";
import { compareSemver, parseSemver, type Semver } from "./semver.ts";

/** Column arrays, one entry per condition. */
export interface ConditionTable {
  key: readonly string[];
  op: Uint8Array;
  negate: Uint8Array;
  caseInsensitive: Uint8Array;
  /** num_* and date_* operands. */
  num: Float64Array;
  /** Other operands: a Set (in/not_in), a string (equals), strings, a RegExp, a Semver or Cidrs. */
  operand: readonly unknown[];
  /**
   * The store's shortcut for a string attribute: SET_HAS / SET_LACKS when the condition holds exactly when
   * `sets[c]` has / lacks the attribute (case-sensitive `in`/`not_in`, negation folded in), else 0.
   */
  setMode: Uint8Array;
  sets: readonly (Set<string> | null)[];
}

export const SET_HAS = 1;
export const SET_LACKS = 2;

const INVALID = -1;

/**
 * Whether condition `c` holds for attribute value `raw` (`ctx[key[c]]`); the same rules as operators.ts `matchCondition`: a missing attribute is
 * false (true for `not_in`), an unreadable one false, negate flips only a real verdict.
 */
export function conditionHolds(t: ConditionTable, c: number, raw: unknown): boolean {
  const op = t.op[c];
  let verdict: number;
  if (typeof raw === "string") {
    // Fast path for the commonest condition: a case-sensitive `in` on a string attribute.
    if (op === OP_IN && t.caseInsensitive[c] === 0)
      return (t.operand[c] as Set<string>).has(raw) !== (t.negate[c] === 1);
    verdict = onText(t, c, op, raw);
  } else if (typeof raw === "number" && Number.isFinite(raw)) verdict = onNumber(t, c, op, raw);
  else if (typeof raw === "boolean") verdict = onText(t, c, op, raw ? "true" : "false");
  else return op === OP_NOT_IN && t.negate[c] === 0;
  if (verdict === INVALID) return false;
  return (verdict === 1) !== (t.negate[c] === 1);
}

/** A number attribute: compared directly by num_* and date_*, as its JSON text by the others. */
function onNumber(t: ConditionTable, c: number, op: number, n: number): number {
  if (op >= OP_NUM_EQ && op <= OP_NUM_GTE) return compareOpcode(op, n - t.num[c]) ? 1 : 0;
  if (op === OP_DATE_BEFORE) return n < t.num[c] ? 1 : 0;
  if (op === OP_DATE_AFTER) return n > t.num[c] ? 1 : 0;
  return onText(t, c, op, String(n));
}

/** 1 / 0 for the operator's verdict on a text attribute, INVALID when it cannot judge. */
function onText(t: ConditionTable, c: number, op: number, text: string): number {
  const a = t.caseInsensitive[c] === 1 && op < OP_REGEX ? text.toLowerCase() : text;
  switch (op) {
    case OP_IN:
      return (t.operand[c] as Set<string>).has(a) ? 1 : 0;
    case OP_NOT_IN:
      return (t.operand[c] as Set<string>).has(a) ? 0 : 1;
    case OP_EQUALS:
      return a === t.operand[c] ? 1 : 0;
    case OP_CONTAINS:
    case OP_STARTS_WITH:
    case OP_ENDS_WITH:
      return affix(op, a, t.operand[c] as string[]);
    case OP_REGEX:
      return (t.operand[c] as RegExp).test(a) ? 1 : 0;
    case OP_DATE_BEFORE:
    case OP_DATE_AFTER: {
      const time = parseDate(a);
      if (Number.isNaN(time)) return INVALID;
      return (op === OP_DATE_BEFORE ? time < t.num[c] : time > t.num[c]) ? 1 : 0;
    }
    case OP_IP_IN_CIDR:
      return inCidrs(a, t.operand[c] as Cidr[]);
  }
  if (op >= OP_NUM_EQ && op <= OP_NUM_GTE) {
    const n = parseNumber(a);
    return Number.isNaN(n) ? INVALID : compareOpcode(op, n - t.num[c]) ? 1 : 0;
  }
  if (op >= OP_SEMVER_EQ && op <= OP_SEMVER_GTE) {
    const v = parseSemver(a);
    return v === undefined ? INVALID : compareOpcode(op, Math.sign(compareSemver(v, t.operand[c] as Semver))) ? 1 : 0;
  }
  return INVALID;
}

function affix(op: number, a: string, values: string[]): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (op === OP_CONTAINS ? a.includes(v) : op === OP_STARTS_WITH ? a.startsWith(v) : a.endsWith(v)) return 1;
  }
  return 0;
}

function inCidrs(a: string, cidrs: Cidr[]): number {
  const family = parseIp(a);
  if (family === 0) return INVALID;
  for (let i = 0; i < cidrs.length; i++) if (cidrContains(cidrs[i], family)) return 1;
  return 0;
}
