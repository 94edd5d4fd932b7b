/** A stage's status as a labelled chip; colour is never the only cue (the text says it). */
import { STATUS_LABELS, type StageStatus, statusTone } from "../models/workflow.ts";

export function StatusBadge({ status, enabled, killed }: { status: StageStatus; enabled: boolean; killed?: boolean }) {
  const tone = killed ? "killed" : statusTone(status, enabled);
  const label = killed ? `${STATUS_LABELS[status]} · killed` : STATUS_LABELS[status];
  return <span class={`badge badge--${tone}`}>{label}</span>;
}
