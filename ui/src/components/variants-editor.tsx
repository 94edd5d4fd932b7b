/** Variants of a non-boolean flag: key, value (typed for the flag's value type), default split weight. */
import type { ValueType } from "@fluxgate/engine";
import { newVariant, type VariantDraft } from "../models/variants.ts";

interface VariantsEditorProps {
  valueType: ValueType;
  variants: readonly VariantDraft[];
  errors: Record<string, string>;
  readOnly?: boolean;
  onChange: (variants: VariantDraft[]) => void;
}

export function VariantsEditor({ valueType, variants, errors, readOnly, onChange }: VariantsEditorProps) {
  const set = (i: number, patch: Partial<VariantDraft>) =>
    onChange(variants.map((v, k) => (k === i ? { ...v, ...patch } : v)));
  const placeholder = valueType === "number" ? "42" : valueType === "json" ? '{"color":"blue"}' : "value";
  return (
    <fieldset class="variants">
      <legend>Variants</legend>
      {errors.list && <p class="field__error">{errors.list}</p>}
      <table class="variants__table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value ({valueType})</th>
            <th scope="col">Weight</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v, i) => (
            <tr key={i}>
              <td data-label="Key">
                <input
                  aria-label={`Key of variant ${i + 1}`}
                  value={v.key}
                  readOnly={readOnly}
                  aria-invalid={errors[`[${i}].key`] ? true : undefined}
                  onInput={(e) => set(i, { key: e.currentTarget.value })}
                />
                {errors[`[${i}].key`] && <p class="field__error">{errors[`[${i}].key`]}</p>}
              </td>
              <td data-label="Value">
                <input
                  aria-label={`Value of variant ${i + 1}`}
                  value={v.valueText}
                  placeholder={placeholder}
                  readOnly={readOnly}
                  aria-invalid={errors[`[${i}].value`] ? true : undefined}
                  onInput={(e) => set(i, { valueText: e.currentTarget.value })}
                />
                {errors[`[${i}].value`] && <p class="field__error">{errors[`[${i}].value`]}</p>}
              </td>
              <td data-label="Weight">
                <input
                  type="number"
                  min={0}
                  class="input--narrow"
                  aria-label={`Weight of variant ${i + 1}`}
                  value={v.weight}
                  readOnly={readOnly}
                  aria-invalid={errors[`[${i}].weight`] ? true : undefined}
                  onInput={(e) => set(i, { weight: e.currentTarget.value })}
                />
                {errors[`[${i}].weight`] && <p class="field__error">{errors[`[${i}].weight`]}</p>}
              </td>
              <td>
                {!readOnly && (
                  <button
                    type="button"
                    class="btn btn--small btn--ghost"
                    onClick={() => onChange(variants.filter((_, k) => k !== i))}
                  >
                    Remove variant {i + 1}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!readOnly && (
        <button
          type="button"
          class="btn btn--small"
          onClick={() => onChange([...variants, newVariant(variants.length)])}
        >
          Add variant
        </button>
      )}
    </fieldset>
  );
}
