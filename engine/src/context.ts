/** Reading attributes from an evaluation context, total over any input. */
import type { EvaluationContext } from "./model.ts";

/** Default sticky keys, in order, when a stage names no bucketing key (bucketing.md, Inputs). */
export const DEFAULT_STICKY_KEYS: readonly string[] = ["targetingKey", "userId"];

/**
 * An attribute as text: strings as they are, finite numbers and booleans as canonical JSON text;
 * anything else (absent, null, objects, arrays, NaN) is missing (`undefined`).
 */
export function readAttribute(ctx: EvaluationContext, key: string): string | undefined {
  const v = ctx[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === "boolean") return v ? "true" : "false";
  return undefined;
}

/** The context as an object to read from: anything that is not one reads as empty. */
export function asContext(ctx: unknown): EvaluationContext {
  return typeof ctx === "object" && ctx !== null ? (ctx as EvaluationContext) : EMPTY_CONTEXT;
}

export const EMPTY_CONTEXT: EvaluationContext = Object.freeze({});

/** Which context key supplies the sticky value, and the value; an empty string counts as absent. */
export function stickyValue(ctx: EvaluationContext, bucketingKey: string | null | undefined): StickyValue | undefined {
  if (bucketingKey) {
    const v = readAttribute(ctx, bucketingKey);
    return v ? { key: bucketingKey, value: v } : undefined;
  }
  for (const key of DEFAULT_STICKY_KEYS) {
    const v = readAttribute(ctx, key);
    if (v) return { key, value: v };
  }
  return undefined;
}

export interface StickyValue {
  key: string;
  value: string;
}
