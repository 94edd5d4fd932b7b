/**
 * Targeting rules of one stage, in priority order (the first rule that matches and admits a user wins).
 * Reorder by dragging a rule's handle or with its arrow buttons; each rule has condition groups, a
 * rollout percentage (3 decimals) and what it serves: on, one variant, or a weighted split.
 */
import { useId, useRef, useState } from "preact/hooks";
import { move, newGroup, newRule, type RuleDraft, type Serve, sharePercent } from "../models/rules.ts";
import { ConditionGroupEditor, type ContextOption } from "./condition-group.tsx";

export interface RulesEditorProps {
  rules: readonly RuleDraft[];
  onChange: (rules: RuleDraft[]) => void;
  /** Variant keys the flag can serve (`on`/`off` for booleans). */
  variants: readonly { key: string; weight?: number }[];
  contexts: readonly ContextOption[];
  /** Problems keyed by path inside the list, e.g. `[0].rollout`. */
  errors: Record<string, string>;
  readOnly: boolean;
  environmentName: string;
}

interface RuleProps {
  rule: RuleDraft;
  index: number;
  count: number;
  props: RulesEditorProps;
  onChange: (rule: RuleDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
  drag: DragHandlers;
}

interface DragHandlers {
  dragging: number | null;
  /** Whether a rule of this list is being dragged (read at event time, not render time). */
  active: () => boolean;
  start: (index: number) => void;
  drop: (index: number) => void;
  end: () => void;
}

function ServeEditor({ rule, index, props, onChange }: Pick<RuleProps, "rule" | "index" | "props" | "onChange">) {
  const id = useId();
  const { variants, readOnly, errors } = props;
  const serve = rule.serve;
  const setServe = (next: Serve) => onChange({ ...rule, serve: next });
  const total = serve.kind === "split" ? serve.weights.reduce((s, w) => s + (w.weight || 0), 0) : 0;
  const serveError =
    errors[`[${index}].serve`] ?? errors[`[${index}].serve.variant`] ?? errors[`[${index}].serve.weights`];
  return (
    <fieldset class="serve">
      <legend>Serve</legend>
      <div class="serve__kinds">
        {(["on", "variant", "split"] as const).map((kind) => (
          <label class="check" key={kind}>
            <input
              type="radio"
              name={`${id}-serve`}
              checked={serve.kind === kind}
              disabled={readOnly}
              onChange={() => {
                if (kind === "on") setServe({ kind: "on" });
                else if (kind === "variant") setServe({ kind: "variant", variant: variants[0]?.key ?? "" });
                else
                  setServe({
                    kind: "split",
                    weights: variants.map((v) => ({ variant: v.key, weight: v.weight ?? 1 })),
                  });
              }}
            />
            {kind === "on" ? "On (default)" : kind === "variant" ? "One variant" : "Weighted split"}
          </label>
        ))}
      </div>
      {serve.kind === "variant" && (
        <div class="field field--inline">
          <label for={`${id}-variant`}>Variant</label>
          <select
            id={`${id}-variant`}
            value={serve.variant}
            disabled={readOnly}
            onChange={(e) => setServe({ kind: "variant", variant: e.currentTarget.value })}
          >
            {variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        </div>
      )}
      {serve.kind === "split" && (
        <table class="split">
          <caption class="visually-hidden">Weights of the split</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Weight</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {serve.weights.map((w, j) => (
              <tr key={w.variant}>
                <th scope="row">{w.variant}</th>
                <td>
                  <input
                    type="number"
                    min={0}
                    step={1}
                    class="input--narrow"
                    aria-label={`Weight of ${w.variant}`}
                    value={String(w.weight)}
                    readOnly={readOnly}
                    onInput={(e) => {
                      const weight = Number.parseInt(e.currentTarget.value, 10);
                      const weights = serve.weights.map((old, k) =>
                        k === j ? { ...old, weight: Number.isNaN(weight) ? 0 : weight } : old,
                      );
                      setServe({ kind: "split", weights });
                    }}
                  />
                </td>
                <td>{sharePercent(w.weight, total)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {serveError && <p class="field__error">{serveError}</p>}
    </fieldset>
  );
}

function RuleCard({ rule, index, count, props, onChange, onMove, onRemove, drag }: RuleProps) {
  const id = useId();
  const { readOnly, errors, contexts } = props;
  const setGroups = (groups: RuleDraft["groups"]) => onChange({ ...rule, groups });
  const rolloutError = errors[`[${index}].rollout`];
  const ruleErrors = Object.entries(errors).filter(([path]) => path === `[${index}]` || path === `[${index}].groups`);
  const label = `Rule ${index + 1}`;
  return (
    <li
      class={`rule ${drag.dragging === index ? "rule--dragging" : ""}`}
      onDragOver={(e) => {
        if (drag.active()) e.preventDefault();
      }}
      onDrop={(e) => {
        e.preventDefault();
        drag.drop(index);
      }}
    >
      <header class="rule__header">
        {!readOnly && (
          <span
            class="drag-handle"
            draggable
            title="Drag to change priority"
            aria-hidden="true"
            onDragStart={(e) => {
              e.dataTransfer?.setData("text/plain", String(index));
              drag.start(index);
            }}
            onDragEnd={drag.end}
          >
            ⠿
          </span>
        )}
        <h4 id={`${id}-title`}>
          {label}
          <span class="muted"> · priority {index + 1}</span>
        </h4>
        {!readOnly && (
          <div class="rule__tools">
            <button
              type="button"
              class="icon-button"
              aria-label={`Move ${label} up`}
              disabled={index === 0}
              onClick={() => onMove(index - 1)}
            >
              ↑
            </button>
            <button
              type="button"
              class="icon-button"
              aria-label={`Move ${label} down`}
              disabled={index === count - 1}
              onClick={() => onMove(index + 1)}
            >
              ↓
            </button>
            <button type="button" class="btn btn--small btn--ghost" onClick={onRemove}>
              Remove {label.toLowerCase()}
            </button>
          </div>
        )}
      </header>
      {ruleErrors.map(([path, message]) => (
        <p class="field__error" key={path}>
          {message}
        </p>
      ))}
      <div class="rule__who">
        {rule.groups.length === 0 ? (
          <p class="muted">Matches everyone.</p>
        ) : (
          rule.groups.length > 1 && (
            <div class="field field--inline">
              <label for={`${id}-groups`}>Groups combine with</label>
              <select
                id={`${id}-groups`}
                value={rule.groupsOperator}
                disabled={readOnly}
                onChange={(e) =>
                  onChange({ ...rule, groupsOperator: e.currentTarget.value as RuleDraft["groupsOperator"] })
                }
              >
                <option value="AND">AND (every group)</option>
                <option value="OR">OR (any group)</option>
              </select>
            </div>
          )
        )}
        {rule.groups.map((group, g) => (
          <ConditionGroupEditor
            key={g}
            group={group}
            index={g}
            path={`[${index}].groups[${g}]`}
            errors={errors}
            contexts={contexts}
            readOnly={readOnly}
            onChange={(next) => setGroups(rule.groups.map((old, k) => (k === g ? next : old)))}
            onRemove={() => setGroups(rule.groups.filter((_, k) => k !== g))}
          />
        ))}
        {!readOnly && (
          <button type="button" class="btn btn--small" onClick={() => setGroups([...rule.groups, newGroup()])}>
            Add condition group
          </button>
        )}
      </div>
      <div class="rule__rollout">
        <label for={`${id}-rollout`}>Rollout</label>
        <input
          id={`${id}-rollout`}
          type="number"
          min={0}
          max={100}
          step={0.001}
          class="input--narrow"
          value={String(rule.rollout)}
          readOnly={readOnly}
          aria-invalid={rolloutError ? true : undefined}
          aria-describedby={`${id}-rollout-hint${rolloutError ? ` ${id}-rollout-error` : ""}`}
          onInput={(e) => {
            const value = e.currentTarget.valueAsNumber;
            onChange({ ...rule, rollout: Number.isNaN(value) ? Number.NaN : value });
          }}
        />
        <span aria-hidden="true">%</span>
        <input
          type="range"
          min={0}
          max={100}
          step={1}
          aria-label={`Rollout of ${label.toLowerCase()}`}
          value={String(Number.isNaN(rule.rollout) ? 0 : rule.rollout)}
          disabled={readOnly}
          onInput={(e) => onChange({ ...rule, rollout: e.currentTarget.valueAsNumber })}
        />
        <p class="field__hint" id={`${id}-rollout-hint`}>
          Share of matching users admitted, 0–100 with up to 3 decimals; the same users stay in as it grows.
        </p>
        {rolloutError && (
          <p class="field__error" id={`${id}-rollout-error`}>
            {rolloutError}
          </p>
        )}
      </div>
      <ServeEditor rule={rule} index={index} props={props} onChange={onChange} />
    </li>
  );
}

export function RulesEditor(props: RulesEditorProps) {
  const { rules, onChange, readOnly, environmentName } = props;
  const [dragging, setDragging] = useState<number | null>(null);
  // the dragged index also lives in a ref: a drop can arrive before the re-render that dragstart caused
  const dragged = useRef<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const reorder = (from: number, to: number) => {
    if (from === to) return;
    onChange(move(rules, from, to));
    setAnnouncement(`Rule ${from + 1} moved to priority ${Math.max(1, Math.min(rules.length, to + 1))}`);
  };
  const setDrag = (index: number | null) => {
    dragged.current = index;
    setDragging(index);
  };
  const drag: DragHandlers = {
    dragging,
    active: () => dragged.current !== null,
    start: setDrag,
    drop: (to) => {
      if (dragged.current !== null) reorder(dragged.current, to);
      setDrag(null);
    },
    end: () => setDrag(null),
  };
  return (
    <section class="rules" aria-label={`Targeting rules in ${environmentName}`}>
      {rules.length === 0 && <p class="muted">No rules: once deployed, this stage serves the flag on to everyone.</p>}
      <ol class="rules__list">
        {rules.map((rule, i) => (
          <RuleCard
            key={rule.id}
            rule={rule}
            index={i}
            count={rules.length}
            props={props}
            drag={drag}
            onChange={(next) => onChange(rules.map((old, k) => (k === i ? next : old)))}
            onMove={(to) => reorder(i, to)}
            onRemove={() => onChange(rules.filter((_, k) => k !== i))}
          />
        ))}
      </ol>
      {!readOnly && (
        <button type="button" class="btn" onClick={() => onChange([...rules, newRule()])}>
          Add rule
        </button>
      )}
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}
