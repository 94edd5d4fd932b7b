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
  /** Case-insensitive `in`/`not_in`: the (lower-cased) values by textHash(), to look up ASCII text unfolded. */
  folded: readonly (FoldedSet | null)[];
}

/** Lower-case strings by textHash(). */
export type FoldedSet = ReadonlyMap<number, readonly string[]>;

export const SET_HAS = 1;
export const SET_LACKS = 2;

const INVALID = -1;

/**
 * Whether condition `c` holds for attribute value `raw` (`ctx[key[c]]`); the same rules as operators.ts
 * `matchCondition`: a missing attribute is false (true for `not_in`), an unreadable one false, negate flips
 * only a real verdict.
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
  let a = text;
  if (t.caseInsensitive[c] === 1 && op < OP_REGEX) {
    if (isAscii(text)) return onFoldedAscii(t, c, op, text);
    a = text.toLowerCase();
  }
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

/**
 * The string operators with `caseInsensitive` on ASCII text, compared as if lower-cased (for ASCII,
 * toLowerCase() maps A–Z alone) without building the lower-case copy. Operands are lower case already.
 */
function onFoldedAscii(t: ConditionTable, c: number, op: number, a: string): number {
  switch (op) {
    case OP_IN:
    case OP_NOT_IN: {
      const found = foldedIn(t.folded[c]!, a);
      return found === (op === OP_IN) ? 1 : 0;
    }
    case OP_EQUALS: {
      const b = t.operand[c] as string;
      return a.length === b.length && foldedAt(a, 0, b) ? 1 : 0;
    }
    default: {
      const values = t.operand[c] as string[];
      for (let i = 0; i < values.length; i++) {
        const b = values[i];
        const room = a.length - b.length;
        if (room < 0) continue;
        if (op === OP_STARTS_WITH ? foldedAt(a, 0, b) : op === OP_ENDS_WITH ? foldedAt(a, room, b) : foldedIn1(a, b)) {
          return 1;
        }
      }
      return 0;
    }
  }
}

/** Whether `set` has ASCII text `a` lower-cased. */
function foldedIn(set: FoldedSet, a: string): boolean {
  const bucket = set.get(textHash(a, true));
  if (bucket === undefined) return false;
  for (let i = 0; i < bucket.length; i++) if (bucket[i].length === a.length && foldedAt(a, 0, bucket[i])) return true;
  return false;
}

/** Whether ASCII text `a` lower-cased contains `b`. */
function foldedIn1(a: string, b: string): boolean {
  for (let at = 0; at <= a.length - b.length; at++) if (foldedAt(a, at, b)) return true;
  return false;
}

/** Whether ASCII text `a` lower-cased has `b` at `at` (`b` fits). */
function foldedAt(a: string, at: number, b: string): boolean {
  for (let j = 0; j < b.length; j++) {
    const ch = a.charCodeAt(at + j);
    if ((ch >= 65 && ch <= 90 ? ch | 32 : ch) !== b.charCodeAt(j)) return false;
  }
  return true;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** FNV-1a over UTF-16 code units; `fold` maps A–Z to a–z first (equal to hashing the lower-cased ASCII text). */
export function textHash(text: string, fold: boolean): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h = Math.imul(h ^ (fold && ch >= 65 && ch <= 90 ? ch | 32 : ch), 0x01000193);
  }
  return h;
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
