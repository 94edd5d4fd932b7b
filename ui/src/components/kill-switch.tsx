/** The kill switch: off for everyone now, or at a scheduled time (reference §9.1); release to restore. */
import { useId, useState } from "preact/hooks";

export interface KillSwitchProps {
  killed: boolean;
  killedAt: string | null;
  killScheduledAt: string | null;
  canKill: boolean;
  busy: boolean;
  error: string | null;
  onKill: (inMinutes: number | null) => void;
  onRelease: () => void;
}

const when = (iso: string) => new Date(iso).toLocaleString();
/** The API's bound for a scheduled kill. */
const MAX_MINUTES = 10_080;

export function KillSwitch(props: KillSwitchProps) {
  const id = useId();
  const [mode, setMode] = useState<"now" | "later">("now");
  const [minutes, setMinutes] = useState("15");
  const [minutesError, setMinutesError] = useState<string | null>(null);
  const state = props.killed
    ? `Engaged${props.killedAt ? ` since ${when(props.killedAt)}` : ""}: the flag is off everywhere.`
    : props.killScheduledAt
      ? `Scheduled: the flag turns off everywhere at ${when(props.killScheduledAt)}.`
      : "Released: stages serve their rules.";
  const submit = () => {
    if (mode === "now") return props.onKill(null);
    const n = Number(minutes);
    if (!Number.isInteger(n) || n < 1 || n > MAX_MINUTES) {
      setMinutesError(`Enter whole minutes between 1 and ${MAX_MINUTES} (a week)`);
      return;
    }
    setMinutesError(null);
    props.onKill(n);
  };
  return (
    <section class={`panel kill ${props.killed ? "kill--engaged" : ""}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Kill switch</h2>
      <p role="status">{state}</p>
      {props.canKill && (props.killed || props.killScheduledAt) && (
        <button type="button" class="btn" disabled={props.busy} onClick={props.onRelease}>
          {props.killed ? "Release kill switch" : "Cancel scheduled kill"}
        </button>
      )}
      {props.canKill && !props.killed && (
        <fieldset class="kill__form">
          <legend>Turn the flag off everywhere</legend>
          <label class="check">
            <input type="radio" name={`${id}-mode`} checked={mode === "now"} onChange={() => setMode("now")} />
            Now
          </label>
          <label class="check">
            <input type="radio" name={`${id}-mode`} checked={mode === "later"} onChange={() => setMode("later")} />
            In
            <input
              type="number"
              min={1}
              max={MAX_MINUTES}
              class="input--narrow"
              aria-label="Minutes until the kill"
              aria-invalid={minutesError ? true : undefined}
              value={minutes}
              disabled={mode !== "later"}
              onInput={(e) => setMinutes(e.currentTarget.value)}
            />
            minutes
          </label>
          {minutesError && <p class="field__error">{minutesError}</p>}
          <button type="button" class="btn btn--danger" disabled={props.busy} onClick={submit}>
            {mode === "now" ? "Kill now" : "Schedule kill"}
          </button>
        </fieldset>
      )}
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
    </section>
  );
}
