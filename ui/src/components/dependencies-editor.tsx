/** Flags this flag depends on: each must be on (or serve a given variant) for this one to be evaluated. */
import { useId } from "preact/hooks";

export interface DependencyDraft {
  featureId: string;
  variant: string | null;
}

interface DependenciesEditorProps {
  dependencies: readonly DependencyDraft[];
  /** Other flags of the team. */
  candidates: readonly { id: string; key: string }[];
  readOnly: boolean;
  error?: string | null;
  onChange: (deps: DependencyDraft[]) => void;
}

export function DependenciesEditor({ dependencies, candidates, readOnly, error, onChange }: DependenciesEditorProps) {
  const id = useId();
  const keyOf = (featureId: string) => candidates.find((c) => c.id === featureId)?.key ?? featureId;
  const free = candidates.filter((c) => !dependencies.some((d) => d.featureId === c.id));
  const set = (i: number, patch: Partial<DependencyDraft>) =>
    onChange(dependencies.map((d, k) => (k === i ? { ...d, ...patch } : d)));
  return (
    <fieldset class="dependencies">
      <legend>Dependencies</legend>
      {dependencies.length === 0 && <p class="muted">No dependencies: this flag is evaluated on its own.</p>}
      <ul class="kv">
        {dependencies.map((d, i) => (
          <li key={d.featureId} class="kv__row">
            <span class="chip">{keyOf(d.featureId)}</span>
            <label class="visually-hidden" for={`${id}-${i}`}>
              Variant {keyOf(d.featureId)} must serve
            </label>
            <input
              id={`${id}-${i}`}
              placeholder="must be on"
              value={d.variant ?? ""}
              readOnly={readOnly}
              onInput={(e) => set(i, { variant: e.currentTarget.value.trim() || null })}
            />
            {!readOnly && (
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove dependency on ${keyOf(d.featureId)}`}
                onClick={() => onChange(dependencies.filter((_, k) => k !== i))}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && free.length > 0 && (
        <div class="field field--inline">
          <label for={`${id}-add`}>Add dependency</label>
          <select
            id={`${id}-add`}
            value=""
            onChange={(e) => {
              const featureId = e.currentTarget.value;
              if (featureId) onChange([...dependencies, { featureId, variant: null }]);
            }}
          >
            <option value="">Choose a flag…</option>
            {free.map((c) => (
              <option key={c.id} value={c.id}>
                {c.key}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && <p class="field__error">{error}</p>}
    </fieldset>
  );
}
