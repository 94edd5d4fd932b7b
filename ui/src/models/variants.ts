/** Variants as the editor holds them: the value as typed, parsed for the flag's value type on save. */
import type { JsonValue, ValueType } from "@fluxgate/engine";
import type { VariantInput } from "./features.ts";

export interface VariantDraft {
  key: string;
  valueText: string;
  weight: string;
  description: string;
}

export function toDraft(v: VariantInput): VariantDraft {
  return {
    key: v.key,
    valueText: typeof v.value === "string" ? v.value : JSON.stringify(v.value),
    weight: String(v.weight ?? 0),
    description: v.description ?? "",
  };
}

export function parseValue(type: ValueType, text: string): { value?: JsonValue; error?: string } {
  if (type === "string") return { value: text };
  if (type === "number") {
    const n = Number(text.trim());
    return text.trim() !== "" && Number.isFinite(n) ? { value: n } : { error: "Enter a number" };
  }
  if (type === "json") {
    try {
      return { value: JSON.parse(text) as JsonValue };
    } catch {
      return { error: "Enter valid JSON" };
    }
  }
  return { value: text === "true" };
}

/** Problems keyed `[i].key`, `[i].value`, `[i].weight`, or `list`; empty when the drafts are valid. */
export function variantProblems(type: ValueType, drafts: readonly VariantDraft[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (type === "boolean") return problems;
  if (drafts.length === 0) problems.list = `A ${type} flag needs at least one variant`;
  const seen = new Set<string>();
  drafts.forEach((d, i) => {
    const key = d.key.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key)) problems[`[${i}].key`] = "Letters, digits, . _ - (no spaces)";
    else if (seen.has(key)) problems[`[${i}].key`] = `"${key}" is used twice`;
    seen.add(key);
    const parsed = parseValue(type, d.valueText);
    if (parsed.error) problems[`[${i}].value`] = parsed.error;
    if (!/^\d+$/.test(d.weight.trim())) problems[`[${i}].weight`] = "A whole number ≥ 0";
  });
  return problems;
}

/** Drafts to API variants; call after `variantProblems` found nothing. */
export function toVariants(type: ValueType, drafts: readonly VariantDraft[]): VariantInput[] {
  if (type === "boolean") return [];
  return drafts.map((d) => ({
    key: d.key.trim(),
    value: parseValue(type, d.valueText).value ?? null,
    weight: Number(d.weight.trim()),
    description: d.description.trim() || null,
  }));
}

export function newVariant(index: number): VariantDraft {
  return { key: index === 0 ? "control" : `variant-${index}`, valueText: "", weight: "1", description: "" };
}
