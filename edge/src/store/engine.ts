/**
 * The edge's only door into the engine: compiling a snapshot into a store. Everything else in the edge
 * talks to `FlagStore` through this module, so an engine change is a change here.
 */
import {
  compileStore,
  DEFAULT_STICKY_KEYS,
  type EvaluationContext,
  type FlagStore,
  readAttribute,
  type Snapshot,
  SnapshotError,
} from "@fluxgate/engine";

export type {
  EnvironmentRef,
  EvaluationContext,
  EvaluationResult,
  Explanation,
  Flag,
  FlagInfo,
  FlagStore,
  JsonValue,
  Snapshot,
  ValueType,
} from "@fluxgate/engine";
export { readAttribute } from "@fluxgate/engine";

/** The sticky value identifying the user for a stage's bucketing key (bucketing.md, Inputs); "" = none. */
export function stickyIdentity(ctx: EvaluationContext, bucketingKey: string | null | undefined): string {
  if (bucketingKey) return readAttribute(ctx, bucketingKey) ?? "";
  for (const key of DEFAULT_STICKY_KEYS) {
    const value = readAttribute(ctx, key);
    if (value) return value;
  }
  return "";
}

export interface Compiled {
  store: FlagStore;
  /** Keys of flags left out because they failed validation (the rest still serve). */
  rejected: string[];
}

/**
 * Compiles a snapshot; flags that fail validation are left out (and named) rather than failing the whole
 * snapshot. A flag depending on a rejected one fails the next round, so this repeats until it compiles.
 */
export function compile(snapshot: Snapshot): Compiled {
  const rejected: string[] = [];
  let flags = snapshot.flags;
  for (;;) {
    try {
      return { store: compileStore(flags === snapshot.flags ? snapshot : { ...snapshot, flags }), rejected };
    } catch (error) {
      if (!(error instanceof SnapshotError) || flags.length === 0) throw error;
      const bad = new Set(error.problems.map((p) => p.flagKey));
      rejected.push(...bad);
      const kept = flags.filter((f) => !bad.has(f.key));
      if (kept.length === flags.length) throw error;
      flags = kept;
    }
  }
}
