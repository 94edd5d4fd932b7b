/** Compile on write: a validated snapshot becomes a `FlagStore` of flat arrays with pre-parsed operands. */
import { ROLLOUT_SCALE, ROLLOUT_SEED, rolloutThreshold, VARIANT_SEED } from "./bucketing.ts";
import { type Cidr, parseCidr } from "./cidr.ts";
import { type ConditionTable, type FoldedSet, SET_HAS, SET_LACKS, textHash } from "./conditions.ts";
import type { Condition, EvaluationResult, Flag, JsonValue, Rule, Snapshot } from "./model.ts";
import { murmur3PrefixInto } from "./murmur3.ts";
import {
  OP_DATE_AFTER,
  OP_DATE_BEFORE,
  OP_IN,
  OP_IP_IN_CIDR,
  OP_NOT_IN,
  OP_NUM_EQ,
  OP_NUM_GTE,
  OP_REGEX,
  OP_SEMVER_EQ,
  OP_SEMVER_GTE,
  opcodeOf,
} from "./opcodes.ts";
import { parseDate, parseNumber } from "./parse.ts";
import { defaultVariant, makeResult, offVariant, onVariant, splitWeights } from "./results.ts";
import { parseSemver, type Semver } from "./semver.ts";
import {
  F_BITS,
  F_DEP_END,
  F_DEP_START,
  F_RESULTS,
  F_STAGES,
  FlagStore,
  GROUP_STRIDE,
  HAS_DEPS,
  KILL_AT,
  KILLED,
  MATCH_ALL,
  MATCH_GROUPS,
  RULE_STRIDE,
  STAGE_STRIDE,
  type StoreData,
} from "./store.ts";
import { SnapshotError, validateSnapshot } from "./validate.ts";

/** Validates and compiles a snapshot; throws `SnapshotError` naming the first invalid flag and field. */
export function compileStore(snapshot: Snapshot): FlagStore {
  const problems = validateSnapshot(snapshot);
  if (problems.length > 0) throw new SnapshotError(problems);
  return new FlagStore(new Builder(snapshot).build());
}

/** How many records of each kind a snapshot needs: counted first, so every table is allocated once. */
interface Counts {
  dependencies: number;
  stages: number;
  rules: number;
  groups: number;
  conditions: number;
  splits: number;
}

/** Fills pre-sized tables record by record (the positions are known: no growable arrays, no copies). */
class Builder {
  private readonly snapshot: Snapshot;
  private readonly environmentSlots: Record<string, number> = Object.create(null);
  private readonly idSlots = new Map<string, number>();
  private readonly environmentIds: string[] = [];
  private flagSlots: Record<string, number> = Object.create(null);
  private readonly results: EvaluationResult[] = [];
  private readonly stickyKeys: string[] = [];
  private readonly depVariant: (string | null)[] = [];
  private readonly ruleIds: string[] = [];
  private readonly key: string[] = [];
  private readonly operand: unknown[] = [];
  private readonly sets: (Set<string> | null)[] = [];
  private readonly folded: (FoldedSet | null)[] = [];
  // Typed tables and their fill positions (in records), allocated by build() once the counts are known.
  private flags = new Int32Array(0);
  private flagStride = F_STAGES;
  private killAt = new Float64Array(0);
  private depFlag = new Int32Array(0);
  private prefixes = new Int32Array(0);
  private stages = new Int32Array(0);
  private rules = new Int32Array(0);
  private groups = new Int32Array(0);
  private splitCumulative = new Int32Array(0);
  private op = new Uint8Array(0);
  private negate = new Uint8Array(0);
  private caseInsensitive = new Uint8Array(0);
  private setMode = new Uint8Array(0);
  private num = new Float64Array(0);
  private deps = 0;
  private stageCount = 0;
  private ruleCount = 0;
  private groupCount = 0;
  private conditionCount = 0;
  private splitCount = 0;
  /** Interned `in`/`not_in` sets by listHash() of their values. */
  private readonly setsByHash = new Map<number, { values: readonly string[]; set: Set<string> }[]>();
  private readonly foldedSets = new Map<Set<string>, FoldedSet>();
  /** Parsed operands by operand text, shared between conditions (none is mutated after parsing). */
  private readonly regexes = new Map<string, RegExp>();
  private readonly semvers = new Map<string, Semver>();
  /** Deep-frozen copies of object variant values, so results share nothing mutable with the snapshot. */
  private readonly values = new Map<object, JsonValue>();

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  build(): StoreData {
    const { flags, environments } = this.snapshot;
    // Lookup precedence as in the reference: listed ids, then listed names, then ids only stages name.
    for (const env of environments) this.environmentSlot(env.id);
    for (const env of environments) this.alias(env.name, this.idSlots.get(env.id)!);
    const n = this.count(flags); // gives the environments only stages name their slots, in flag order
    // Keys are unique (validated); fromEntries defines properties (so "__proto__" is a key like any other).
    this.flagSlots = Object.setPrototypeOf(Object.fromEntries(flags.map((flag, f) => [flag.key, f])), null);
    this.flagStride = F_STAGES + this.environmentIds.length;
    this.flags = new Int32Array(flags.length * this.flagStride).fill(-1);
    this.killAt = new Float64Array(flags.length);
    this.prefixes = new Int32Array(flags.length * 8);
    this.depFlag = new Int32Array(n.dependencies);
    this.stages = new Int32Array(n.stages * STAGE_STRIDE);
    this.rules = new Int32Array(n.rules * RULE_STRIDE);
    this.groups = new Int32Array(n.groups * GROUP_STRIDE);
    this.splitCumulative = new Int32Array(n.splits);
    this.op = new Uint8Array(n.conditions);
    this.negate = new Uint8Array(n.conditions);
    this.caseInsensitive = new Uint8Array(n.conditions);
    this.setMode = new Uint8Array(n.conditions);
    this.num = new Float64Array(n.conditions).fill(Number.NaN);
    for (let f = 0; f < flags.length; f++) this.addFlag(f, flags[f]);
    return this.data();
  }

  /** The records a snapshot needs, counted so that every table is allocated once; stage environments get slots. */
  private count(flags: readonly Flag[]): Counts {
    const n: Counts = { dependencies: 0, stages: 0, rules: 0, groups: 0, conditions: 0, splits: 0 };
    for (let f = 0; f < flags.length; f++) {
      const flag = flags[f];
      n.dependencies += flag.dependencies.length;
      n.stages += flag.stages.length;
      for (let s = 0; s < flag.stages.length; s++) {
        const stage = flag.stages[s];
        this.environmentSlot(stage.environmentId);
        n.rules += stage.rules.length;
        for (let r = 0; r < stage.rules.length; r++) {
          const rule = stage.rules[r];
          n.groups += rule.groups.length;
          for (let g = 0; g < rule.groups.length; g++) n.conditions += rule.groups[g].conditions.length;
          if (rule.serve.kind === "split") {
            n.splits += rule.serve.weights.length > 0 ? rule.serve.weights.length : flag.variants.length;
          }
        }
      }
    }
    return n;
  }

  /** Gives an environment id a slot (once); the id looks it up unless a listed name took that text. */
  private environmentSlot(id: string): void {
    if (this.idSlots.has(id)) return;
    this.idSlots.set(id, this.environmentIds.length);
    this.alias(id, this.environmentIds.length);
    this.environmentIds.push(id);
  }

  private alias(text: string, slot: number): void {
    if (this.environmentSlots[text] === undefined) this.environmentSlots[text] = slot;
  }

  private addFlag(f: number, flag: Flag): void {
    const at = f * this.flagStride;
    const flags = this.flags;
    const dependencies = flag.dependencies;
    flags[at + F_BITS] =
      (flag.killed ? KILLED : 0) | (flag.killAt != null ? KILL_AT : 0) | (dependencies.length > 0 ? HAS_DEPS : 0);
    flags[at + F_RESULTS] = this.results.length;
    flags[at + F_DEP_START] = this.deps;
    for (let i = 0; i < dependencies.length; i++) {
      this.depFlag[this.deps++] = this.flagSlots[dependencies[i].flagKey];
      this.depVariant.push(dependencies[i].variant ?? null);
    }
    flags[at + F_DEP_END] = this.deps;
    this.killAt[f] = flag.killAt ?? Number.POSITIVE_INFINITY;
    const prefix = `${flag.salt || flag.key}:`;
    murmur3PrefixInto(this.prefixes, f * 8, prefix, ROLLOUT_SEED);
    murmur3PrefixInto(this.prefixes, f * 8 + 4, prefix, VARIANT_SEED);
    this.results.push(
      this.result(makeResult(flag, offVariant(flag), "DISABLED", false)),
      this.result(makeResult(flag, offVariant(flag), "PREREQUISITE_FAILED", false)),
      this.result(makeResult(flag, onVariant(flag), "STATIC", true)),
      this.result(makeResult(flag, defaultVariant(flag), "DEFAULT", false)),
    );
    for (let i = 0; i < flag.stages.length; i++) {
      const stage = flag.stages[i];
      const first = this.ruleCount;
      for (let r = 0; r < stage.rules.length; r++) this.addRule(flag, stage.rules[r]);
      flags[at + F_STAGES + this.idSlots.get(stage.environmentId)!] = this.stageCount;
      const sa = this.stageCount++ * STAGE_STRIDE;
      this.stages[sa] = stage.deployed ? 1 : 0;
      this.stages[sa + 1] = this.stickyKey(stage.bucketingKey);
      this.stages[sa + 2] = first;
      this.stages[sa + 3] = this.ruleCount;
    }
  }

  /** Index of a stage's bucketing key in `stickyKeys`; -1 for the default keys. */
  private stickyKey(key: string | null | undefined): number {
    if (!key) return -1;
    const known = this.stickyKeys.indexOf(key);
    return known >= 0 ? known : this.stickyKeys.push(key) - 1;
  }

  private addRule(flag: Flag, rule: Rule): void {
    const threshold = rolloutThreshold(rule.rollout);
    const firstGroup = this.groupCount;
    for (let g = 0; g < rule.groups.length; g++) {
      const group = rule.groups[g];
      const first = this.conditionCount;
      for (let c = 0; c < group.conditions.length; c++) this.addCondition(group.conditions[c]);
      const ga = this.groupCount++ * GROUP_STRIDE;
      this.groups[ga] = group.operator === "OR" ? 1 : 0;
      this.groups[ga + 1] = first;
      this.groups[ga + 2] = this.conditionCount;
    }
    const result = this.results.length;
    const firstSplit = this.splitCount;
    const weights = splitWeights(flag, rule);
    if (weights) {
      let total = 0;
      for (let i = 0; i < weights.length; i++) {
        total += weights[i].weight;
        this.splitCumulative[this.splitCount++] = total;
        this.results.push(this.result(makeResult(flag, weights[i].variant, "SPLIT", true, rule.id)));
      }
    } else {
      const variant = rule.serve.kind === "variant" ? rule.serve.variant : onVariant(flag);
      const reason = threshold < ROLLOUT_SCALE ? "SPLIT" : "TARGETING_MATCH";
      this.results.push(this.result(makeResult(flag, variant, reason, true, rule.id)));
    }
    const groups = rule.groups;
    const ra = this.ruleCount++ * RULE_STRIDE;
    const rules = this.rules;
    rules[ra] = threshold;
    rules[ra + 1] = rule.groupsOperator === "OR" ? 1 : 0;
    rules[ra + 2] = firstGroup;
    rules[ra + 3] = this.groupCount;
    rules[ra + 4] = firstSplit;
    rules[ra + 5] = this.splitCount;
    rules[ra + 6] = result;
    rules[ra + 7] =
      groups.length === 0
        ? MATCH_ALL
        : groups.length === 1 && groups[0].conditions.length === 1
          ? this.conditionCount - 1
          : MATCH_GROUPS;
    this.ruleIds.push(rule.id);
  }

  private addCondition(condition: Condition): void {
    const c = this.conditionCount++;
    const op = opcodeOf(condition.operator);
    const ci = condition.caseInsensitive === true && op <= OP_REGEX;
    const negate = condition.negate === true;
    this.key.push(condition.contextKey);
    this.op[c] = op;
    this.negate[c] = negate ? 1 : 0;
    this.caseInsensitive[c] = condition.caseInsensitive === true ? 1 : 0;
    const values = condition.values;
    if (op === OP_IN || op === OP_NOT_IN) {
      const set = this.internSet(values, ci);
      this.operand.push(set);
      this.setMode[c] = ci ? 0 : (op === OP_IN) !== negate ? SET_HAS : SET_LACKS;
      this.sets.push(ci ? null : set);
      this.folded.push(ci ? this.foldedSet(set) : null);
      return;
    }
    this.sets.push(null);
    this.folded.push(null);
    if (op >= OP_NUM_EQ && op <= OP_NUM_GTE) this.num[c] = parseNumber(values[0]);
    else if (op === OP_DATE_BEFORE || op === OP_DATE_AFTER) this.num[c] = parseDate(values[0]);
    this.operand.push(this.otherOperand(op, values, ci));
  }

  /** The pre-parsed operand of a condition other than in/not_in (validated already, so every parse succeeds). */
  private otherOperand(op: number, values: readonly string[], ci: boolean): unknown {
    if (op === OP_REGEX) {
      const id = ci ? `i/${values[0]}` : `/${values[0]}`;
      let re = this.regexes.get(id);
      if (re === undefined) {
        re = new RegExp(values[0], ci ? "i" : "");
        this.regexes.set(id, re);
      }
      return re;
    }
    if (op >= OP_SEMVER_EQ && op <= OP_SEMVER_GTE) {
      let v = this.semvers.get(values[0]);
      if (v === undefined) {
        v = parseSemver(values[0])!;
        this.semvers.set(values[0], v);
      }
      return v;
    }
    if (op === OP_IP_IN_CIDR) return values.map(parseCidr) as Cidr[];
    if (op >= OP_NUM_EQ && op <= OP_DATE_AFTER) return undefined;
    const folded = ci ? values.map((v) => v.toLowerCase()) : values.slice();
    return op === OPERATOR_EQUALS ? folded[0] : folded;
  }

  /** A result frozen for sharing, its object value replaced by an interned deep-frozen copy. */
  private result(result: EvaluationResult): EvaluationResult {
    const value = result.value;
    if (typeof value === "object" && value !== null) {
      if (!this.values.has(value)) this.values.set(value, deepFreeze(structuredClone(value)));
      result.value = this.values.get(value)!;
    }
    return Object.freeze(result);
  }

  /**
   * One Set per distinct list (lower-cased for `caseInsensitive`): found by a hash of the list's text, then
   * compared element by element (no joined key string to build and hash per condition).
   */
  private internSet(list: readonly string[], ci: boolean): Set<string> {
    const values = ci ? list.map((v) => v.toLowerCase()) : list;
    const hash = listHash(values);
    const bucket = this.setsByHash.get(hash);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) if (sameList(bucket[i].values, values)) return bucket[i].set;
    }
    const set = new Set(values);
    const entry = { values, set };
    if (bucket === undefined) this.setsByHash.set(hash, [entry]);
    else bucket.push(entry);
    return set;
  }

  /** The values of an interned lower-case set by textHash(), once per set. */
  private foldedSet(set: Set<string>): FoldedSet {
    let folded = this.foldedSets.get(set);
    if (folded === undefined) {
      const byHash = new Map<number, string[]>();
      for (const value of set) {
        const h = textHash(value, false);
        const bucket = byHash.get(h);
        if (bucket === undefined) byHash.set(h, [value]);
        else bucket.push(value);
      }
      folded = byHash;
      this.foldedSets.set(set, folded);
    }
    return folded;
  }

  private data(): StoreData {
    const flags = this.snapshot.flags;
    const conditions: ConditionTable = {
      key: this.key,
      op: this.op,
      negate: this.negate,
      caseInsensitive: this.caseInsensitive,
      num: this.num,
      operand: this.operand,
      setMode: this.setMode,
      sets: this.sets,
      folded: this.folded,
    };
    // Keys sorted natively (UTF-16 order, as `<`), then mapped back to their slots.
    const keys = flags.map((f) => f.key).sort();
    const sortedFlags = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) sortedFlags[i] = this.flagSlots[keys[i]];
    return {
      version: this.snapshot.version,
      environments: Object.freeze(this.snapshot.environments.map((e) => Object.freeze({ id: e.id, name: e.name }))),
      environmentSlots: this.environmentSlots,
      environmentIds: this.environmentIds,
      flagSlots: this.flagSlots,
      sortedFlags,
      info: flags.map((f) =>
        Object.freeze({
          key: f.key,
          id: f.id,
          valueType: f.valueType,
          sticky: f.sticky === true,
          salt: f.salt || f.key,
        }),
      ),
      flags: this.flags,
      flagStride: this.flagStride,
      killAt: this.killAt,
      depFlag: this.depFlag,
      depVariant: this.depVariant,
      prefixes: this.prefixes,
      stages: this.stages,
      stickyKeys: this.stickyKeys,
      rules: this.rules,
      ruleIds: this.ruleIds,
      groups: this.groups,
      conditions,
      splitCumulative: this.splitCumulative,
      results: this.results,
    };
  }
}

const OPERATOR_EQUALS = opcodeOf("equals");

/** FNV-1a over the lengths and UTF-16 code units of a list of strings. */
function listHash(values: readonly string[]): number {
  let h = Math.imul(0x811c9dc5 ^ values.length, 0x01000193);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    h = Math.imul(h ^ v.length, 0x01000193);
    for (let j = 0; j < v.length; j++) h = Math.imul(h ^ v.charCodeAt(j), 0x01000193);
  }
  return h;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function deepFreeze(value: JsonValue): JsonValue {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
