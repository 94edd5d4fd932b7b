/** Which variant a flag serves in each situation, and the result objects both evaluators return. */
import type { EvaluationResult, Flag, JsonValue, Reason, Rule, SplitWeight } from "./model.ts";

/** The variant served when the flag is on without a rule choosing one ("on" serve, STATIC). */
export function onVariant(flag: Flag): string {
  return flag.valueType === "boolean" ? "on" : defaultVariant(flag);
}

/** The variant served when no rule admits the user (DEFAULT): `off` for booleans. */
export function defaultVariant(flag: Flag): string {
  if (flag.valueType === "boolean") return "off";
  return flag.defaultVariant ?? flag.variants[0]?.key ?? "";
}

/** The variant served when the flag is off (DISABLED, PREREQUISITE_FAILED): `offVariant`, else the default. */
export function offVariant(flag: Flag): string {
  return flag.valueType === "boolean" ? "off" : (flag.offVariant ?? defaultVariant(flag));
}

/** The typed value of a variant: `true`/`false` for booleans, the variant's value otherwise. */
export function variantValue(flag: Flag, variant: string): JsonValue {
  if (flag.valueType === "boolean") return variant === "on";
  for (const v of flag.variants) if (v.key === variant) return v.value;
  return null;
}

/**
 * A result. `served` says a rule or a rule-less stage chose it; a boolean flag served `off` is still not
 * enabled, so for booleans `enabled === value`.
 */
export function makeResult(
  flag: Flag,
  variant: string,
  reason: Reason,
  served: boolean,
  ruleId?: string,
): EvaluationResult {
  const enabled = served && !(flag.valueType === "boolean" && variant === "off");
  const value = variantValue(flag, variant);
  // Built in its final shape, no property added afterwards (the store builds 100,000s of these).
  return ruleId === undefined ? { enabled, value, variant, reason } : { enabled, value, variant, reason, ruleId };
}

/** The result for a flag key that is not in the store. */
export const FLAG_NOT_FOUND: EvaluationResult = Object.freeze({
  enabled: false,
  value: null,
  variant: "",
  reason: "ERROR",
  errorCode: "FLAG_NOT_FOUND",
});

/** A split rule's weights: its own, else the variants' default weights; undefined for other serves. */
export function splitWeights(flag: Flag, rule: Rule): readonly SplitWeight[] | undefined {
  if (rule.serve.kind !== "split") return undefined;
  if (rule.serve.weights.length > 0) return rule.serve.weights;
  return flag.variants.map((v) => ({ variant: v.key, weight: v.weight ?? 0 }));
}
