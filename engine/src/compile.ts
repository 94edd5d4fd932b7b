/** Compile on write: a validated snapshot becomes a `FlagStore` of flat arrays with pre-parsed operands. */
import { ROLLOUT_SCALE, ROLLOUT_SEED, rolloutThreshold, VARIANT_SEED } from "./bucketing.ts";
import { parseCidr } from "./cidr.ts";
import { type ConditionTable, SET_HAS, SET_LACKS } from "./conditions.ts";
import type { Condition, EvaluationResult, Flag, JsonValue, Rule, Snapshot } from "./model.ts";
import { murmur3Prefix } from "./murmur3.ts";
import { OP_IN, OP_IP_IN_CIDR, OP_NOT_IN, OP_REGEX, opcodeOf } from "./opcodes.ts";
import { parseDate, parseNumber } from "./parse.ts";
import { defaultVariant, makeResult, offVariant, onVariant, splitWeights } from "./results.ts";
import { parseSemver } from "./semver.ts";
import {
  F_STAGES,
  FlagStore,
  GROUP_STRIDE,
  HAS_DEPS,
  KILL_AT,
  KILLED,
  MATCH_ALL,
  MATCH_GROUPS,
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

/** Growable columns, turned into typed arrays at the end. */
class Builder {
  private readonly snapshot: Snapshot;
  private readonly environmentSlots: Record<string, number> = Object.create(null);
  private readonly idSlots = new Map<string, number>();
  private readonly environmentIds: string[] = [];
  private readonly flagSlots: Record<string, number> = Object.create(null);
  private readonly results: EvaluationResult[] = [];
  private readonly cols = {
    flags: [] as number[],
    killAt: [] as number[],
    depFlag: [] as number[],
    depVariant: [] as (string | null)[],
    prefixes: [] as number[],
    stages: [] as number[],
    stickyKeys: [] as string[],
    rules: [] as number[],
    ruleIds: [] as string[],
    groups: [] as number[],
    splitCumulative: [] as number[],
    key: [] as string[],
    op: [] as number[],
    negate: [] as number[],
    caseInsensitive: [] as number[],
    num: [] as number[],
    operand: [] as unknown[],
    setMode: [] as number[],
    sets: [] as (Set<string> | null)[],
  };
  /** Interned `in`/`not_in` sets, shared between conditions with the same list. */
  private readonly sets = new Map<string, { values: string[]; set: Set<string> }>();
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
    for (const flag of flags) for (const stage of flag.stages) this.environmentSlot(stage.environmentId);
    for (let f = 0; f < flags.length; f++) this.flagSlots[flags[f].key] = f;
    for (const flag of flags) this.addFlag(flag);
    return this.data();
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

  private addFlag(flag: Flag): void {
    const c = this.cols;
    const at = c.flags.length;
    const deps = flag.dependencies.length > 0 ? HAS_DEPS : 0;
    const bits = (flag.killed ? KILLED : 0) | (flag.killAt != null ? KILL_AT : 0) | deps;
    c.flags.push(bits, this.results.length, c.depFlag.length, c.depFlag.length + flag.dependencies.length);
    for (const _ of this.environmentIds) c.flags.push(-1);
    c.killAt.push(flag.killAt ?? Number.POSITIVE_INFINITY);
    for (const d of flag.dependencies) {
      c.depFlag.push(this.flagSlots[d.flagKey]);
      c.depVariant.push(d.variant ?? null);
    }
    const salt = flag.salt || flag.key;
    c.prefixes.push(...murmur3Prefix(`${salt}:`, ROLLOUT_SEED), ...murmur3Prefix(`${salt}:`, VARIANT_SEED));
    this.results.push(
      this.result(makeResult(flag, offVariant(flag), "DISABLED", false)),
      this.result(makeResult(flag, offVariant(flag), "PREREQUISITE_FAILED", false)),
      this.result(makeResult(flag, onVariant(flag), "STATIC", true)),
      this.result(makeResult(flag, defaultVariant(flag), "DEFAULT", false)),
    );
    for (const stage of flag.stages) {
      const first = c.ruleIds.length;
      for (const rule of stage.rules) this.addRule(flag, rule);
      c.flags[at + F_STAGES + this.idSlots.get(stage.environmentId)!] = c.stages.length / STAGE_STRIDE;
      c.stages.push(stage.deployed ? 1 : 0, this.stickyKey(stage.bucketingKey), first, c.ruleIds.length);
    }
  }

  /** Index of a stage's bucketing key in `stickyKeys`; -1 for the default keys. */
  private stickyKey(key: string | null | undefined): number {
    if (!key) return -1;
    const known = this.cols.stickyKeys.indexOf(key);
    return known >= 0 ? known : this.cols.stickyKeys.push(key) - 1;
  }

  private addRule(flag: Flag, rule: Rule): void {
    const c = this.cols;
    const threshold = rolloutThreshold(rule.rollout);
    const firstGroup = c.groups.length / GROUP_STRIDE;
    for (const group of rule.groups) {
      const first = c.key.length;
      for (const condition of group.conditions) this.addCondition(condition);
      c.groups.push(group.operator === "OR" ? 1 : 0, first, c.key.length, 0);
    }
    const result = this.results.length;
    const firstSplit = c.splitCumulative.length;
    const weights = splitWeights(flag, rule);
    if (weights) {
      let total = 0;
      for (const w of weights) {
        total += w.weight;
        c.splitCumulative.push(total);
        this.results.push(this.result(makeResult(flag, w.variant, "SPLIT", true, rule.id)));
      }
    } else {
      const variant = rule.serve.kind === "variant" ? rule.serve.variant : onVariant(flag);
      const reason = threshold < ROLLOUT_SCALE ? "SPLIT" : "TARGETING_MATCH";
      this.results.push(this.result(makeResult(flag, variant, reason, true, rule.id)));
    }
    const groupsOr = rule.groupsOperator === "OR" ? 1 : 0;
    const lastGroup = c.groups.length / GROUP_STRIDE;
    const match =
      rule.groups.length === 0
        ? MATCH_ALL
        : rule.groups.length === 1 && rule.groups[0].conditions.length === 1
          ? c.key.length - 1
          : MATCH_GROUPS;
    c.rules.push(threshold, groupsOr, firstGroup, lastGroup, firstSplit, c.splitCumulative.length, result, match);
    c.ruleIds.push(rule.id);
  }

  private addCondition(condition: Condition): void {
    const c = this.cols;
    const op = opcodeOf(condition.operator);
    const ci = condition.caseInsensitive === true;
    const values = ci && op < OP_REGEX ? condition.values.map((v) => v.toLowerCase()) : condition.values;
    c.key.push(condition.contextKey);
    c.op.push(op);
    c.negate.push(condition.negate ? 1 : 0);
    c.caseInsensitive.push(ci ? 1 : 0);
    c.num.push(condition.operator.startsWith("date_") ? parseDate(values[0]) : parseNumber(values[0] ?? ""));
    const operand = this.operand(op, condition, values, ci);
    c.operand.push(operand);
    const isSet = (op === OP_IN || op === OP_NOT_IN) && !ci;
    c.setMode.push(isSet ? ((op === OP_IN) !== (condition.negate === true) ? SET_HAS : SET_LACKS) : 0);
    c.sets.push(isSet ? (operand as Set<string>) : null);
  }

  /** The pre-parsed operand of a condition (validated already, so every parse succeeds). */
  private operand(op: number, condition: Condition, values: string[], ci: boolean): unknown {
    if (op === OP_IN || op === OP_NOT_IN) return this.internSet(values);
    if (op === OP_REGEX) return new RegExp(values[0], ci ? "i" : "");
    if (op === OP_IP_IN_CIDR) return values.map(parseCidr);
    if (condition.operator.startsWith("semver_")) return parseSemver(values[0]);
    return condition.operator === "equals" ? values[0] : values.slice();
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

  /** One Set per distinct list; the joined key may collide, so a hit is compared before it is shared. */
  private internSet(values: string[]): Set<string> {
    const id = values.join("\u0000");
    const known = this.sets.get(id);
    if (known && known.values.length === values.length && known.values.every((v, i) => v === values[i])) {
      return known.set;
    }
    const set = new Set(values);
    if (!known) this.sets.set(id, { values, set });
    return set;
  }

  private data(): StoreData {
    const c = this.cols;
    const flags = this.snapshot.flags;
    const i32 = (a: number[]) => new Int32Array(a);
    const u8 = (a: number[]) => new Uint8Array(a);
    const conditions: ConditionTable = {
      key: c.key,
      op: u8(c.op),
      negate: u8(c.negate),
      caseInsensitive: u8(c.caseInsensitive),
      num: new Float64Array(c.num),
      operand: c.operand,
      setMode: u8(c.setMode),
      sets: c.sets,
    };
    const sorted = flags.map((_, f) => f).sort((a, b) => (flags[a].key < flags[b].key ? -1 : 1));
    return {
      version: this.snapshot.version,
      environments: Object.freeze(this.snapshot.environments.map((e) => Object.freeze({ id: e.id, name: e.name }))),
      environmentSlots: this.environmentSlots,
      environmentIds: this.environmentIds,
      flagSlots: this.flagSlots,
      sortedFlags: i32(sorted),
      info: flags.map((f) =>
        Object.freeze({
          key: f.key,
          id: f.id,
          valueType: f.valueType,
          sticky: f.sticky === true,
          salt: f.salt || f.key,
        }),
      ),
      flags: i32(c.flags),
      flagStride: F_STAGES + this.environmentIds.length,
      killAt: new Float64Array(c.killAt),
      depFlag: i32(c.depFlag),
      depVariant: c.depVariant,
      prefixes: i32(c.prefixes),
      stages: i32(c.stages),
      stickyKeys: c.stickyKeys,
      rules: i32(c.rules),
      ruleIds: c.ruleIds,
      groups: i32(c.groups),
      conditions,
      splitCumulative: i32(c.splitCumulative),
      results: this.results,
    };
  }
}

function deepFreeze(value: JsonValue): JsonValue {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
