/**
 * The compiled store: an immutable flag set as flat typed arrays, evaluated without parsing and, on the
 * plain path, without allocating (results are pre-built frozen objects). Built by `compileStore`.
 */
import { bucketOf, pickByCumulative, ROLLOUT_SCALE } from "./bucketing.ts";
import { type ConditionTable, conditionHolds } from "./conditions.ts";
import { asContext, readAttribute } from "./context.ts";
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

/** The arrays `compileStore` fills; ranges are `[start, end)` pairs of Int32Arrays. */
export interface StoreData {
  version: number;
  environments: readonly EnvironmentRef[];
  /** Environment id or name → environment slot. */
  environmentSlots: Map<string, number>;
  environmentIds: readonly string[];
  flagSlots: Map<string, number>;
  /** Flag slots in key order. */
  sortedFlags: Int32Array;
  info: readonly FlagInfo[];
  killed: Uint8Array;
  /** Epoch ms of the scheduled kill; Infinity = none. */
  killAt: Float64Array;
  depStart: Int32Array;
  depEnd: Int32Array;
  depFlag: Int32Array;
  /** Required variant per dependency; null = must be on. */
  depVariant: readonly (string | null)[];
  /** Murmur states after `salt + ":"`: 8 ints per flag, the rollout seed's then the variant seed's. */
  prefixes: Int32Array;
  /** Stage slot per `flag * environmentCount + environment`; -1 = no stage. */
  stageOf: Int32Array;
  stageDeployed: Uint8Array;
  stageBucketingKey: readonly (string | null)[];
  ruleStart: Int32Array;
  ruleEnd: Int32Array;
  ruleIds: readonly string[];
  ruleThreshold: Int32Array;
  ruleGroupsOr: Uint8Array;
  groupStart: Int32Array;
  groupEnd: Int32Array;
  groupOr: Uint8Array;
  conditionStart: Int32Array;
  conditionEnd: Int32Array;
  conditions: ConditionTable;
  /** Split entries `[splitStart, splitEnd)` (empty = a fixed serve) with cumulative weights. */
  splitStart: Int32Array;
  splitEnd: Int32Array;
  splitCumulative: Int32Array;
  /** Result of a fixed serve, or of the first split entry (the others follow in order). */
  ruleResult: Int32Array;
  results: readonly EvaluationResult[];
  /** Per flag: index into `results` of its DISABLED result; PREREQUISITE_FAILED, STATIC, DEFAULT follow. */
  flagResults: Int32Array;
}

const DISABLED = 0;
const PREREQUISITE_FAILED = 1;
const STATIC = 2;
const DEFAULT = 3;

/** An immutable compiled flag set. */
export class FlagStore {
  readonly version: number;
  readonly flagCount: number;
  readonly environments: readonly EnvironmentRef[];
  private readonly d: StoreData;
  private readonly envCount: number;

  constructor(data: StoreData) {
    this.d = data;
    this.version = data.version;
    this.flagCount = data.info.length;
    this.environments = data.environments;
    this.envCount = data.environmentIds.length;
    Object.freeze(this);
  }

  /** Whether the store has a flag with this key. */
  has(flagKey: string): boolean {
    return this.d.flagSlots.has(flagKey);
  }

  /** Flag keys in sorted order. */
  keys(): string[] {
    return Array.from(this.d.sortedFlags, (f) => this.d.info[f].key);
  }

  /** A flag's id, value type, sticky bit and salt; undefined for an unknown key. */
  info(flagKey: string): FlagInfo | undefined {
    const f = this.d.flagSlots.get(flagKey);
    return f === undefined ? undefined : this.d.info[f];
  }

  /** The environment id for an environment id or name; undefined when the store knows neither. */
  environmentId(environment: string): string | undefined {
    const e = this.d.environmentSlots.get(environment);
    return e === undefined ? undefined : this.d.environmentIds[e];
  }

  /** Evaluates a flag; an unknown key gives reason ERROR, errorCode FLAG_NOT_FOUND. Never throws. */
  evaluate(flagKey: string, environment: string, ctx: EvaluationContext, now?: number): EvaluationResult {
    const f = this.d.flagSlots.get(flagKey);
    if (f === undefined) return FLAG_NOT_FOUND;
    const e = this.d.environmentSlots.get(environment);
    return this.run(f, e === undefined ? -1 : e, asContext(ctx), now ?? Number.NaN, null);
  }

  /** Evaluates every flag, in key order. */
  evaluateAll(environment: string, ctx: EvaluationContext, now?: number): FlagEvaluation[] {
    const e = this.d.environmentSlots.get(environment) ?? -1;
    const c = asContext(ctx);
    const t = now ?? Date.now();
    return Array.from(this.d.sortedFlags, (f) => ({ key: this.d.info[f].key, result: this.run(f, e, c, t, null) }));
  }

  /** Evaluates a flag and returns the decision trace with the result. */
  explain(flagKey: string, environment: string, ctx: EvaluationContext, now?: number): Explanation {
    const f = this.d.flagSlots.get(flagKey);
    const steps: TraceStep[] = [];
    if (f === undefined) return { flagKey, environment, result: FLAG_NOT_FOUND, steps };
    const e = this.d.environmentSlots.get(environment) ?? -1;
    const result = this.run(f, e, asContext(ctx), now ?? Number.NaN, steps);
    return { flagKey, environment, result, steps };
  }

  /** The evaluation of flag slot `f` in environment slot `e`; `now` NaN = read the clock when needed. */
  private run(f: number, e: number, ctx: EvaluationContext, now: number, trace: TraceStep[] | null): EvaluationResult {
    const d = this.d;
    const base = d.flagResults[f];
    if (d.killed[f] === 1) {
      if (trace !== null) trace.push({ step: "killed" });
      return d.results[base + DISABLED];
    }
    const killAt = d.killAt[f];
    if (killAt !== Number.POSITIVE_INFINITY) {
      const t = Number.isNaN(now) ? Date.now() : now;
      if (killAt <= t) {
        if (trace !== null) trace.push({ step: "scheduled_kill", killAt, now: t });
        return d.results[base + DISABLED];
      }
    }
    if (d.depStart[f] !== d.depEnd[f] && !this.dependenciesHold(f, e, ctx, now, trace)) {
      return d.results[base + PREREQUISITE_FAILED];
    }
    const s = e < 0 ? -1 : d.stageOf[f * this.envCount + e];
    if (trace !== null) {
      const rules = s < 0 ? 0 : d.ruleEnd[s] - d.ruleStart[s];
      trace.push({ step: "stage", found: s >= 0, deployed: s >= 0 && d.stageDeployed[s] === 1, rules });
    }
    if (s < 0 || d.stageDeployed[s] === 0) return d.results[base + DISABLED];
    const r0 = d.ruleStart[s];
    const r1 = d.ruleEnd[s];
    if (r0 === r1) return d.results[base + STATIC];
    for (let r = r0; r < r1; r++) {
      if (!this.ruleMatches(r, ctx)) {
        if (trace !== null) trace.push({ step: "rule", ruleId: d.ruleIds[r], index: r - r0, matched: false });
        continue;
      }
      const served = trace === null ? this.admit(f, s, r, ctx) : this.admitTraced(f, s, r, r - r0, ctx, trace);
      if (served >= 0) return d.results[served];
    }
    if (trace !== null) trace.push({ step: "default" });
    return d.results[base + DEFAULT];
  }

  private dependenciesHold(f: number, e: number, ctx: EvaluationContext, now: number, trace: TraceStep[] | null) {
    const d = this.d;
    for (let i = d.depStart[f]; i < d.depEnd[f]; i++) {
      const served = this.run(d.depFlag[i], e, ctx, now, null);
      const wanted = d.depVariant[i];
      const satisfied = wanted === null ? served.enabled : served.variant === wanted;
      if (trace !== null) trace.push(dependencyStep(d.info[d.depFlag[i]].key, wanted, satisfied, served));
      if (!satisfied) return false;
    }
    return true;
  }

  /** Groups with the rule's AND/OR, conditions with their group's; no groups = everyone. */
  private ruleMatches(r: number, ctx: EvaluationContext): boolean {
    const d = this.d;
    const g0 = d.groupStart[r];
    const g1 = d.groupEnd[r];
    if (g0 === g1) return true;
    const any = d.ruleGroupsOr[r] === 1;
    for (let g = g0; g < g1; g++) {
      if (this.groupMatches(g, ctx) === any) return any;
    }
    return !any;
  }

  private groupMatches(g: number, ctx: EvaluationContext): boolean {
    const d = this.d;
    const any = d.groupOr[g] === 1;
    for (let c = d.conditionStart[g]; c < d.conditionEnd[g]; c++) {
      if (conditionHolds(d.conditions, c, ctx) === any) return any;
    }
    return !any;
  }

  /** Index of the result rule `r` serves this user, or -1 when its rollout or split does not admit them. */
  private admit(f: number, s: number, r: number, ctx: EvaluationContext): number {
    const d = this.d;
    const threshold = d.ruleThreshold[r];
    const split0 = d.splitStart[r];
    const split1 = d.splitEnd[r];
    if (threshold >= ROLLOUT_SCALE && split0 === split1) return d.ruleResult[r];
    const value = this.stickyValue(s, ctx);
    if (value === undefined) return -1;
    if (threshold < ROLLOUT_SCALE && bucketOf(murmur3Continue(d.prefixes, value, f * 8), ROLLOUT_SCALE) >= threshold) {
      return -1;
    }
    if (split0 === split1) return d.ruleResult[r];
    const bucket = bucketOf(murmur3Continue(d.prefixes, value, f * 8 + 4), d.splitCumulative[split1 - 1]);
    return d.ruleResult[r] + pickByCumulative(d.splitCumulative, split0, split1, bucket) - split0;
  }

  /** admit() with its reasoning recorded; the same decisions, made the slow way. */
  private admitTraced(f: number, s: number, r: number, index: number, ctx: EvaluationContext, trace: TraceStep[]) {
    const d = this.d;
    const served = this.admit(f, s, r, ctx);
    const threshold = d.ruleThreshold[r];
    const split = d.splitStart[r] !== d.splitEnd[r];
    const admission: Admission = {
      rollout: threshold / 1000,
      threshold,
      stickyKey: null,
      hashInput: null,
      bucket: null,
      admitted: served >= 0,
    };
    const key = threshold >= ROLLOUT_SCALE && !split ? undefined : this.stickyKey(s, ctx);
    if (key === null) admission.noStickyValue = true;
    if (typeof key === "string") {
      const input = `${d.info[f].salt}:${readAttribute(ctx, key)}`;
      admission.stickyKey = key;
      if (threshold < ROLLOUT_SCALE) {
        admission.hashInput = input;
        admission.bucket = bucketOf(murmur3Continue(d.prefixes, readAttribute(ctx, key)!, f * 8), ROLLOUT_SCALE);
      }
      if (split && served >= 0) {
        const totalWeight = d.splitCumulative[d.splitEnd[r] - 1];
        const bucket = bucketOf(murmur3Continue(d.prefixes, readAttribute(ctx, key)!, f * 8 + 4), totalWeight);
        admission.split = { hashInput: input, bucket, totalWeight, variant: d.results[served].variant };
      }
    }
    trace.push({ step: "rule", ruleId: d.ruleIds[r], index, matched: true, admission });
    return served;
  }

  /** The sticky value for stage `s` (bucketing.md, Inputs); an empty string counts as absent. */
  private stickyValue(s: number, ctx: EvaluationContext): string | undefined {
    const key = this.d.stageBucketingKey[s];
    if (key !== null) return readAttribute(ctx, key) || undefined;
    return readAttribute(ctx, "targetingKey") || readAttribute(ctx, "userId") || undefined;
  }

  /** The context key the sticky value comes from, or null when there is none. */
  private stickyKey(s: number, ctx: EvaluationContext): string | null {
    const key = this.d.stageBucketingKey[s];
    if (key !== null) return readAttribute(ctx, key) ? key : null;
    return readAttribute(ctx, "targetingKey") ? "targetingKey" : readAttribute(ctx, "userId") ? "userId" : null;
  }
}
