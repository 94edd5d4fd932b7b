/**
 * The compiled store: an immutable flag set as flat typed arrays, evaluated without parsing and, on the
 * plain path, without allocating (results are pre-built frozen objects). Built by `compileStore`.
 */
import { bucketOf, pickByCumulative, ROLLOUT_SCALE } from "./bucketing.ts";
import { type ConditionTable, conditionHolds, SET_HAS } from "./conditions.ts";
import { asContext, EMPTY_CONTEXT, readAttribute } from "./context.ts";
import { type Admission, dependencyStep, type Explanation, type TraceStep } from "./explain.ts";
import type { EnvironmentRef, EvaluationContext, EvaluationResult, ValueType } from "./model.ts";
import { murmur3Continue } from "./murmur3.ts";
import { FLAG_NOT_FOUND } from "./results.ts";

/** What the edge needs to know about a flag besides its value. */
export interface FlagInfo {
  key: string;
  id: string | undefined;
  valueType: ValueType;
  /** Edge keeps "once on, always on" per user. */
  sticky: boolean;
  salt: string;
}

/** One flag's result in a bulk evaluation. */
export interface FlagEvaluation {
  key: string;
  result: EvaluationResult;
}

/**
 * The tables `compileStore` fills. Records are packed into a few Int32Arrays with fixed strides (fewer
 * arrays to load on the hot path); ranges are `[start, end)` pairs inside a record.
 */
export interface StoreData {
  version: number;
  environments: readonly EnvironmentRef[];
  /** Environment id or name → environment slot. */
  environmentSlots: Slots;
  environmentIds: readonly string[];
  flagSlots: Slots;
  /** Flag slots in key order. */
  sortedFlags: Int32Array;
  info: readonly FlagInfo[];
  /** Per flag, `flagStride` ints: F_* fields, then the stage slot per environment (-1 = none). */
  flags: Int32Array;
  flagStride: number;
  /** Epoch ms of each flag's scheduled kill (read when F_BITS has KILL_AT). */
  killAt: Float64Array;
  depFlag: Int32Array;
  /** Required variant per dependency; null = must be on. */
  depVariant: readonly (string | null)[];
  /** Murmur states after `salt + ":"`: 8 ints per flag, the rollout seed's then the variant seed's. */
  prefixes: Int32Array;
  /** Per stage, STAGE_STRIDE ints (S_*). */
  stages: Int32Array;
  /** Context keys that stages name as bucketing key (S_STICKY indexes it). */
  stickyKeys: readonly string[];
  /** Per rule, RULE_STRIDE ints (R_*). */
  rules: Int32Array;
  ruleIds: readonly string[];
  /** Per group, GROUP_STRIDE ints (G_*). */
  groups: Int32Array;
  conditions: ConditionTable;
  /** Cumulative split weights; a rule's split is `[R_SPLIT_START, R_SPLIT_END)`, empty for a fixed serve. */
  splitCumulative: Int32Array;
  results: readonly EvaluationResult[];
}

export const F_BITS = 0;
export const F_RESULTS = 1; // index of the DISABLED result; PREREQUISITE_FAILED, STATIC, DEFAULT follow
export const F_DEP_START = 2;
export const F_DEP_END = 3;
export const F_STAGES = 4;
export const KILLED = 1;
export const KILL_AT = 2;
/** The flag has dependencies (F_BITS ≠ 0 sends an evaluation down the general path). */
export const HAS_DEPS = 4;

export const STAGE_STRIDE = 4;
export const S_DEPLOYED = 0;
export const S_STICKY = 1; // index into stickyKeys; -1 = targetingKey, then userId
export const S_RULE_START = 2;
export const S_RULE_END = 3;

export const RULE_STRIDE = 8;
export const R_THRESHOLD = 0;
export const R_GROUPS_OR = 1;
export const R_GROUP_START = 2;
export const R_GROUP_END = 3;
export const R_SPLIT_START = 4;
export const R_SPLIT_END = 5;
export const R_RESULT = 6; // result of a fixed serve, or of the first split entry (the others follow)
/** How the rule matches: a condition index ≥ 0 (its only condition), MATCH_ALL (no groups) or MATCH_GROUPS. */
export const R_MATCH = 7;
export const MATCH_ALL = -1;
export const MATCH_GROUPS = -2;

export const GROUP_STRIDE = 4;
export const G_OR = 0;
export const G_CONDITION_START = 1;
export const G_CONDITION_END = 2;

// Offsets from F_RESULTS of a flag's fixed results.
const DISABLED = 0;
const PREREQUISITE_FAILED = 1;
const STATIC = 2;
const DEFAULT = 3;

/**
 * Key → slot, as a prototype-less object: JSC looks a string up in one faster than in a `Map` (about 8 ns
 * for a Map.get of a flag key, against an inline-cached or hashed property read).
 */
export type Slots = Readonly<Record<string, number>>;

/** The slot of `key`; undefined for an unknown key or a key that is not a string. */
function slotOf(slots: Slots, key: string): number | undefined {
  return typeof key === "string" ? slots[key] : undefined;
}

/** An immutable compiled flag set. */
export class FlagStore {
  readonly version: number;
  readonly flagCount: number;
  readonly environments: readonly EnvironmentRef[];
  private readonly d: StoreData;

  constructor(data: StoreData) {
    this.d = data;
    this.version = data.version;
    this.flagCount = data.info.length;
    this.environments = data.environments;
    Object.freeze(this);
  }

  /** Whether the store has a flag with this key. */
  has(flagKey: string): boolean {
    return slotOf(this.d.flagSlots, flagKey) !== undefined;
  }

  /** Flag keys in sorted order. */
  keys(): string[] {
    return Array.from(this.d.sortedFlags, (f) => this.d.info[f].key);
  }

  /** A flag's id, value type, sticky bit and salt; undefined for an unknown key. */
  info(flagKey: string): FlagInfo | undefined {
    const f = slotOf(this.d.flagSlots, flagKey);
    return f === undefined ? undefined : this.d.info[f];
  }

  /** The environment id for an environment id or name; undefined when the store knows neither. */
  environmentId(environment: string): string | undefined {
    const e = slotOf(this.d.environmentSlots, environment);
    return e === undefined ? undefined : this.d.environmentIds[e];
  }

  /** Evaluates a flag; an unknown key gives reason ERROR, errorCode FLAG_NOT_FOUND. Never throws. */
  evaluate(flagKey: string, environment: string, ctx: EvaluationContext, now?: number): EvaluationResult {
    // The common case in one function (JSC does not inline the helpers of `run`): no kill switch, no
    // dependencies, rules of at most one condition, the default sticky key. Everything else goes to `run`.
    // Lookups by early return, not `typeof key === "string" ? slots[key] : undefined`: the merged value made
    // JSC's code for the rest of the function about 8 ns slower.
    const d = this.d;
    if (typeof flagKey !== "string") return FLAG_NOT_FOUND;
    const f = d.flagSlots[flagKey];
    if (f === undefined) return FLAG_NOT_FOUND;
    const c = typeof ctx === "object" && ctx !== null ? ctx : EMPTY_CONTEXT;
    if (typeof environment !== "string") return this.run(f, -1, c, now ?? Number.NaN, null);
    const e = d.environmentSlots[environment];
    const flags = d.flags;
    const at = f * d.flagStride;
    if (flags[at + F_BITS] !== 0 || e === undefined) return this.run(f, e ?? -1, c, now ?? Number.NaN, null);
    const results = d.results;
    const base = flags[at + F_RESULTS];
    const s = flags[at + F_STAGES + e] * STAGE_STRIDE;
    const stages = d.stages;
    if (s < 0 || stages[s + S_DEPLOYED] === 0) return results[base + DISABLED];
    const r1 = stages[s + S_RULE_END];
    let r = stages[s + S_RULE_START];
    if (r === r1) return results[base + STATIC];
    const rules = d.rules;
    const t = d.conditions;
    for (; r < r1; r++) {
      const ra = r * RULE_STRIDE;
      const m = rules[ra + R_MATCH];
      if (m >= 0) {
        const raw = c[t.key[m]];
        const mode = t.setMode[m];
        if (mode !== 0 && typeof raw === "string") {
          if (t.sets[m]!.has(raw) !== (mode === SET_HAS)) continue;
        } else if (!conditionHolds(t, m, raw)) continue;
      } else if (m === MATCH_GROUPS && !this.ruleMatches(ra, c)) continue;
      const threshold = rules[ra + R_THRESHOLD];
      const split1 = rules[ra + R_SPLIT_END];
      if (threshold >= ROLLOUT_SCALE && rules[ra + R_SPLIT_START] === split1) return results[rules[ra + R_RESULT]];
      const targetingKey = stages[s + S_STICKY] < 0 ? c.targetingKey : undefined;
      const value = typeof targetingKey === "string" && targetingKey !== "" ? targetingKey : this.stickyValue(s, c);
      if (value === undefined) continue;
      if (
        threshold < ROLLOUT_SCALE &&
        bucketOf(murmur3Continue(d.prefixes, value, f * 8), ROLLOUT_SCALE) >= threshold
      ) {
        continue;
      }
      if (rules[ra + R_SPLIT_START] === split1) return results[rules[ra + R_RESULT]];
      return results[this.split(f, ra, value)];
    }
    return results[base + DEFAULT];
  }

  /** Evaluates every flag, in key order. */
  evaluateAll(environment: string, ctx: EvaluationContext, now?: number): FlagEvaluation[] {
    const e = slotOf(this.d.environmentSlots, environment) ?? -1;
    const c = asContext(ctx);
    const t = now ?? Date.now();
    return Array.from(this.d.sortedFlags, (f) => ({ key: this.d.info[f].key, result: this.run(f, e, c, t, null) }));
  }

  /** Evaluates a flag and returns the decision trace with the result. */
  explain(flagKey: string, environment: string, ctx: EvaluationContext, now?: number): Explanation {
    const f = slotOf(this.d.flagSlots, flagKey);
    const steps: TraceStep[] = [];
    if (f === undefined) return { flagKey, environment, result: FLAG_NOT_FOUND, steps };
    const e = slotOf(this.d.environmentSlots, environment) ?? -1;
    const result = this.run(f, e, asContext(ctx), now ?? Number.NaN, steps);
    return { flagKey, environment, result, steps };
  }

  /** The evaluation of flag slot `f` in environment slot `e`; `now` NaN = read the clock when needed. */
  private run(f: number, e: number, ctx: EvaluationContext, now: number, trace: TraceStep[] | null): EvaluationResult {
    const d = this.d;
    const flags = d.flags;
    const at = f * d.flagStride;
    const base = flags[at + F_RESULTS];
    const bits = flags[at + F_BITS];
    if ((bits & (KILLED | KILL_AT)) !== 0) {
      if ((bits & KILLED) !== 0) {
        if (trace !== null) trace.push({ step: "killed" });
        return d.results[base + DISABLED];
      }
      const t = Number.isNaN(now) ? Date.now() : now;
      if (d.killAt[f] <= t) {
        if (trace !== null) trace.push({ step: "scheduled_kill", killAt: d.killAt[f], now: t });
        return d.results[base + DISABLED];
      }
    }
    const deps = flags[at + F_DEP_START];
    if (deps !== flags[at + F_DEP_END] && !this.dependenciesHold(at, e, ctx, now, trace)) {
      return d.results[base + PREREQUISITE_FAILED];
    }
    const s = e < 0 ? -1 : flags[at + F_STAGES + e] * STAGE_STRIDE;
    const stages = d.stages;
    if (trace !== null) this.traceStage(s, trace);
    if (s < 0 || stages[s + S_DEPLOYED] === 0) return d.results[base + DISABLED];
    const r0 = stages[s + S_RULE_START];
    const r1 = stages[s + S_RULE_END];
    if (r0 === r1) return d.results[base + STATIC];
    for (let r = r0; r < r1; r++) {
      if (!this.ruleMatches(r * RULE_STRIDE, ctx)) {
        if (trace !== null) trace.push({ step: "rule", ruleId: d.ruleIds[r], index: r - r0, matched: false });
        continue;
      }
      const served = trace === null ? this.admit(f, s, r, ctx) : this.admitTraced(f, s, r, r - r0, ctx, trace);
      if (served >= 0) return d.results[served];
    }
    if (trace !== null) trace.push({ step: "default" });
    return d.results[base + DEFAULT];
  }

  private traceStage(s: number, trace: TraceStep[]): void {
    const stages = this.d.stages;
    const rules = s < 0 ? 0 : stages[s + S_RULE_END] - stages[s + S_RULE_START];
    trace.push({ step: "stage", found: s >= 0, deployed: s >= 0 && stages[s + S_DEPLOYED] === 1, rules });
  }

  private dependenciesHold(at: number, e: number, ctx: EvaluationContext, now: number, trace: TraceStep[] | null) {
    const d = this.d;
    for (let i = d.flags[at + F_DEP_START]; i < d.flags[at + F_DEP_END]; i++) {
      const served = this.run(d.depFlag[i], e, ctx, now, null);
      const wanted = d.depVariant[i];
      const satisfied = wanted === null ? served.enabled : served.variant === wanted;
      if (trace !== null) trace.push(dependencyStep(d.info[d.depFlag[i]].key, wanted, satisfied, served));
      if (!satisfied) return false;
    }
    return true;
  }

  /** Groups with the rule's AND/OR, conditions with their group's; no groups = everyone. */
  private ruleMatches(ra: number, ctx: EvaluationContext): boolean {
    const d = this.d;
    const rules = d.rules;
    const g0 = rules[ra + R_GROUP_START];
    const g1 = rules[ra + R_GROUP_END];
    if (g0 === g1) return true;
    const any = rules[ra + R_GROUPS_OR] === 1;
    for (let g = g0; g < g1; g++) {
      if (this.groupMatches(g * GROUP_STRIDE, ctx) === any) return any;
    }
    return !any;
  }

  private groupMatches(ga: number, ctx: EvaluationContext): boolean {
    const d = this.d;
    const groups = d.groups;
    const any = groups[ga + G_OR] === 1;
    const end = groups[ga + G_CONDITION_END];
    for (let c = groups[ga + G_CONDITION_START]; c < end; c++) {
      if (conditionHolds(d.conditions, c, ctx[d.conditions.key[c]]) === any) return any;
    }
    return !any;
  }

  /** Index of the result rule `r` serves this user, or -1 when its rollout or split does not admit them. */
  private admit(f: number, s: number, r: number, ctx: EvaluationContext): number {
    const d = this.d;
    const rules = d.rules;
    const ra = r * RULE_STRIDE;
    const threshold = rules[ra + R_THRESHOLD];
    const split0 = rules[ra + R_SPLIT_START];
    const split1 = rules[ra + R_SPLIT_END];
    if (threshold >= ROLLOUT_SCALE && split0 === split1) return rules[ra + R_RESULT];
    const value = this.stickyValue(s, ctx);
    if (value === undefined) return -1;
    if (threshold < ROLLOUT_SCALE && bucketOf(murmur3Continue(d.prefixes, value, f * 8), ROLLOUT_SCALE) >= threshold) {
      return -1;
    }
    if (split0 === split1) return rules[ra + R_RESULT];
    return this.split(f, ra, value);
  }

  /** Index of the result the weighted split of the rule at `ra` serves for sticky value `value`. */
  private split(f: number, ra: number, value: string): number {
    const d = this.d;
    const split0 = d.rules[ra + R_SPLIT_START];
    const split1 = d.rules[ra + R_SPLIT_END];
    const bucket = bucketOf(murmur3Continue(d.prefixes, value, f * 8 + 4), d.splitCumulative[split1 - 1]);
    return d.rules[ra + R_RESULT] + pickByCumulative(d.splitCumulative, split0, split1, bucket) - split0;
  }

  /** admit() with its reasoning recorded; the same decisions, made the slow way. */
  private admitTraced(f: number, s: number, r: number, index: number, ctx: EvaluationContext, trace: TraceStep[]) {
    const d = this.d;
    const served = this.admit(f, s, r, ctx);
    const ra = r * RULE_STRIDE;
    const threshold = d.rules[ra + R_THRESHOLD];
    const split0 = d.rules[ra + R_SPLIT_START];
    const split1 = d.rules[ra + R_SPLIT_END];
    const admission: Admission = {
      rollout: threshold / 1000,
      threshold,
      stickyKey: null,
      hashInput: null,
      bucket: null,
      admitted: served >= 0,
    };
    const key = threshold >= ROLLOUT_SCALE && split0 === split1 ? undefined : this.stickyKey(s, ctx);
    if (key === null) admission.noStickyValue = true;
    if (typeof key === "string") {
      const value = readAttribute(ctx, key)!;
      const input = `${d.info[f].salt}:${value}`;
      admission.stickyKey = key;
      if (threshold < ROLLOUT_SCALE) {
        admission.hashInput = input;
        admission.bucket = bucketOf(murmur3Continue(d.prefixes, value, f * 8), ROLLOUT_SCALE);
      }
      if (split0 !== split1 && served >= 0) {
        const totalWeight = d.splitCumulative[split1 - 1];
        const bucket = bucketOf(murmur3Continue(d.prefixes, value, f * 8 + 4), totalWeight);
        admission.split = { hashInput: input, bucket, totalWeight, variant: d.results[served].variant };
      }
    }
    trace.push({ step: "rule", ruleId: d.ruleIds[r], index, matched: true, admission });
    return served;
  }

  /** The sticky value for stage `s` (bucketing.md, Inputs); an empty string counts as absent. */
  private stickyValue(s: number, ctx: EvaluationContext): string | undefined {
    const k = this.d.stages[s + S_STICKY];
    if (k >= 0) return readAttribute(ctx, this.d.stickyKeys[k]) || undefined;
    // Named reads (not ctx[key]) so the engine's inline caches see the common string case directly.
    const targetingKey = ctx.targetingKey;
    if (typeof targetingKey === "string" && targetingKey !== "") return targetingKey;
    return readAttribute(ctx, "targetingKey") || readAttribute(ctx, "userId") || undefined;
  }

  /** The context key the sticky value comes from, or null when there is none. */
  private stickyKey(s: number, ctx: EvaluationContext): string | null {
    const k = this.d.stages[s + S_STICKY];
    if (k >= 0) return readAttribute(ctx, this.d.stickyKeys[k]) ? this.d.stickyKeys[k] : null;
    return readAttribute(ctx, "targetingKey") ? "targetingKey" : readAttribute(ctx, "userId") ? "userId" : null;
  }
}
