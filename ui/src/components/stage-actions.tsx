/** The workflow buttons a user's role allows on one stage, and who asked and decided. */
import { relativeTime } from "../models/activity.ts";
import type { StageAction } from "../models/workflow.ts";

export interface StageActionsProps {
  actions: readonly StageAction[];
  note: string | null;
  busy: boolean;
  requested: { by: string; at: string } | null;
  decided: { by: string; at: string } | null;
  onAction: (action: StageAction) => void;
}

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {relativeTime(iso)}
    </time>
  );
}

export function StageActions({ actions, note, busy, requested, decided, onAction }: StageActionsProps) {
  return (
    <div class="stage-actions">
      {(requested || decided) && (
        <dl class="meta">
          {requested && (
            <>
              <dt>Requested</dt>
              <dd>
                by {requested.by}, <When iso={requested.at} />
              </dd>
            </>
          )}
          {decided && (
            <>
              <dt>Decided</dt>
              <dd>
                by {decided.by}, <When iso={decided.at} />
              </dd>
            </>
          )}
        </dl>
      )}
      {note && <p class="muted">{note}</p>}
      {actions.length > 0 && (
        <div class="actions">
          {actions.map((a) => (
            <button
              type="button"
              key={a.to}
              class={`btn ${a.tone === "primary" ? "btn--primary" : a.tone === "danger" ? "btn--danger" : ""}`}
              disabled={busy}
              onClick={() => onAction(a)}
            >
              {a.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
