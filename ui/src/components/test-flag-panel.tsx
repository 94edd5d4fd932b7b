/** "Test this flag": a context, an environment, and the server's evaluation with its explain trace. */
import type { Explanation } from "@fluxgate/engine";
import { useId } from "preact/hooks";
import type { ContextRow } from "../models/feature.ts";
import { ExplainTrace } from "./explain-trace.tsx";

export interface TestFlagPanelProps {
  environments: readonly { id: string; name: string }[];
  environmentId: string;
  onEnvironment: (id: string) => void;
  rows: readonly ContextRow[];
  onRows: (rows: ContextRow[]) => void;
  onRun: () => void;
  busy: boolean;
  error: string | null;
  result: Explanation | null;
}

export function TestFlagPanel(props: TestFlagPanelProps) {
  const id = useId();
  const setRow = (i: number, patch: Partial<ContextRow>) =>
    props.onRows(props.rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <section class="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Test this flag</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          props.onRun();
        }}
      >
        <div class="field">
          <label for={`${id}-env`}>Environment</label>
          <select
            id={`${id}-env`}
            value={props.environmentId}
            onChange={(e) => props.onEnvironment(e.currentTarget.value)}
          >
            {props.environments.map((env) => (
              <option key={env.id} value={env.id}>
                {env.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>Context</legend>
          <ul class="kv">
            {props.rows.map((row, i) => (
              <li key={i} class="kv__row">
                <input
                  aria-label={`Context attribute ${i + 1}`}
                  placeholder="attribute"
                  value={row.key}
                  onInput={(e) => setRow(i, { key: e.currentTarget.value })}
                />
                <input
                  aria-label={`Context value ${i + 1}`}
                  placeholder="value"
                  value={row.value}
                  onInput={(e) => setRow(i, { value: e.currentTarget.value })}
                />
                <button
                  type="button"
                  class="icon-button"
                  aria-label={`Remove context attribute ${i + 1}`}
                  onClick={() => props.onRows(props.rows.filter((_, k) => k !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            class="btn btn--small"
            onClick={() => props.onRows([...props.rows, { key: "", value: "" }])}
          >
            Add attribute
          </button>
        </fieldset>
        <button type="submit" class="btn btn--primary" disabled={props.busy || !props.environmentId}>
          Evaluate
        </button>
      </form>
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      {props.result && <ExplainTrace explanation={props.result} />}
    </section>
  );
}
