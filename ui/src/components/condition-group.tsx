/** One condition group of a rule: conditions joined by AND/OR, each "attribute [not] operator values". */
import { useId } from "preact/hooks";
import {
  type ConditionDraft,
  type GroupDraft,
  newCondition,
  OPERATOR_INFO,
  OPERATOR_ORDER,
  type Operator,
} from "../models/rules.ts";

export interface ContextOption {
  id: string;
  key: string;
  values: string[];
}

interface ConditionRowProps {
  condition: ConditionDraft;
  index: number;
  path: string;
  errors: Record<string, string>;
  contexts: readonly ContextOption[];
  readOnly: boolean;
  onChange: (c: ConditionDraft) => void;
  onRemove: () => void;
}

function ConditionRow({ condition, index, path, errors, contexts, readOnly, onChange, onRemove }: ConditionRowProps) {
  const id = useId();
  const op = OPERATOR_INFO[condition.operator];
  const set = (patch: Partial<ConditionDraft>) => onChange({ ...condition, ...patch });
  const keyError = errors[`${path}.contextKey`];
  const valuesError = errors[`${path}.values`] ?? errors[`${path}.operator`];
  const context = contexts.find((c) => c.id === condition.contextId);
  return (
    <li class="condition">
      <div class="condition__row">
        <div class="field field--inline">
          <label for={`${id}-key`}>Attribute</label>
          <input
            id={`${id}-key`}
            value={condition.contextKey}
            placeholder="country"
            readOnly={readOnly}
            aria-invalid={keyError ? true : undefined}
            aria-describedby={keyError ? `${id}-key-error` : undefined}
            onInput={(e) => set({ contextKey: e.currentTarget.value })}
          />
          {keyError && (
            <p class="field__error" id={`${id}-key-error`}>
              {keyError}
            </p>
          )}
        </div>
        <div class="field field--inline">
          <label for={`${id}-op`}>Operator</label>
          <select
            id={`${id}-op`}
            value={condition.operator}
            disabled={readOnly}
            onChange={(e) => {
              const operator = e.currentTarget.value as Operator;
              const single = OPERATOR_INFO[operator].single;
              set({
                operator,
                values: single ? condition.values.slice(0, 1) : condition.values,
                contextId: single ? null : condition.contextId,
              });
            }}
          >
            {OPERATOR_ORDER.map((o) => (
              <option key={o} value={o}>
                {OPERATOR_INFO[o].label}
              </option>
            ))}
          </select>
        </div>
        {!op.single && (
          <div class="field field--inline">
            <label for={`${id}-source`}>Values from</label>
            <select
              id={`${id}-source`}
              value={condition.contextId ?? ""}
              disabled={readOnly}
              onChange={(e) => set({ contextId: e.currentTarget.value || null })}
            >
              <option value="">this list</option>
              {contexts.map((c) => (
                <option key={c.id} value={c.id}>
                  context “{c.key}”
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field field--inline condition__values">
          <label for={`${id}-values`}>{op.single ? "Value" : "Values"}</label>
          {context ? (
            <p class="muted condition__context" id={`${id}-values`}>
              {context.values.length} value{context.values.length === 1 ? "" : "s"}:{" "}
              {context.values.slice(0, 5).join(", ")}
              {context.values.length > 5 ? "…" : ""}
            </p>
          ) : op.single ? (
            <input
              id={`${id}-values`}
              value={condition.values[0] ?? ""}
              placeholder={op.placeholder}
              readOnly={readOnly}
              aria-invalid={valuesError ? true : undefined}
              aria-describedby={valuesError ? `${id}-values-error` : undefined}
              onInput={(e) => set({ values: [e.currentTarget.value] })}
            />
          ) : (
            <textarea
              id={`${id}-values`}
              rows={2}
              value={condition.values.join("\n")}
              placeholder={op.placeholder}
              readOnly={readOnly}
              aria-invalid={valuesError ? true : undefined}
              aria-describedby={valuesError ? `${id}-values-error` : undefined}
              onInput={(e) => set({ values: e.currentTarget.value.split("\n") })}
            />
          )}
          {valuesError && (
            <p class="field__error" id={`${id}-values-error`}>
              {valuesError}
            </p>
          )}
        </div>
      </div>
      <div class="condition__flags">
        <label class="check">
          <input
            type="checkbox"
            checked={condition.negate === true}
            disabled={readOnly}
            onChange={(e) => set({ negate: e.currentTarget.checked })}
          />
          Negate (NOT)
        </label>
        {op.text && (
          <label class="check">
            <input
              type="checkbox"
              checked={condition.caseInsensitive === true}
              disabled={readOnly}
              onChange={(e) => set({ caseInsensitive: e.currentTarget.checked })}
            />
            Ignore case
          </label>
        )}
        {!readOnly && (
          <button type="button" class="btn btn--small btn--ghost" onClick={onRemove}>
            Remove condition {index + 1}
          </button>
        )}
      </div>
    </li>
  );
}

interface GroupProps {
  group: GroupDraft;
  index: number;
  path: string;
  errors: Record<string, string>;
  contexts: readonly ContextOption[];
  readOnly: boolean;
  onChange: (g: GroupDraft) => void;
  onRemove: () => void;
}

export function ConditionGroupEditor({
  group,
  index,
  path,
  errors,
  contexts,
  readOnly,
  onChange,
  onRemove,
}: GroupProps) {
  const id = useId();
  const setConditions = (conditions: ConditionDraft[]) => onChange({ ...group, conditions });
  const groupError = errors[`${path}.conditions`];
  return (
    <fieldset class="group">
      <legend>Group {index + 1}</legend>
      <div class="group__header">
        <label for={`${id}-logic`}>Users match when</label>
        <select
          id={`${id}-logic`}
          value={group.operator}
          disabled={readOnly}
          onChange={(e) => onChange({ ...group, operator: e.currentTarget.value as GroupDraft["operator"] })}
        >
          <option value="AND">all conditions hold (AND)</option>
          <option value="OR">any condition holds (OR)</option>
        </select>
        {!readOnly && (
          <button type="button" class="btn btn--small btn--ghost" onClick={onRemove}>
            Remove group {index + 1}
          </button>
        )}
      </div>
      {groupError && <p class="field__error">{groupError}</p>}
      <ul class="conditions">
        {group.conditions.map((condition, k) => (
          <ConditionRow
            key={k}
            condition={condition}
            index={k}
            path={`${path}.conditions[${k}]`}
            errors={errors}
            contexts={contexts}
            readOnly={readOnly}
            onChange={(c) => setConditions(group.conditions.map((old, j) => (j === k ? c : old)))}
            onRemove={() => setConditions(group.conditions.filter((_, j) => j !== k))}
          />
        ))}
      </ul>
      {!readOnly && (
        <button
          type="button"
          class="btn btn--small"
          onClick={() => setConditions([...group.conditions, newCondition()])}
        >
          Add condition
        </button>
      )}
    </fieldset>
  );
}
