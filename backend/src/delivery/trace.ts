/**
 * Stage timings delivery reports to an optional observer (benches, diagnostics). Instants are epoch ms with
 * sub-millisecond precision (`performance.timeOrigin + performance.now()`), so processes on one machine can
 * line them up. Nothing is measured unless an observer is set.
 */

export type DeliveryTrace =
  | {
      kind: "changes";
      /** Versions of the change set, oldest first. */
      versions: number[];
      /** When a NOTIFY woke the read (null: woken by the poll or by a read still running). */
      notifiedAt: number | null;
      /** The read (change rows and flags) was sent. */
      queriedAt: number;
      /** The change rows were read. */
      readAt: number;
      /** The touched flags were rebuilt from the database. */
      builtAt: number;
      /** The frames were handed to every stream of the teams concerned. */
      sentAt: number;
      /** Streams the change set was written to. */
      streams: number;
    }
  | {
      kind: "team-load";
      teamId: string;
      flags: number;
      /** Reading and assembling the team's flags. */
      loadMs: number;
    }
  | {
      kind: "snapshot";
      teamId: string;
      flags: number;
      form: "full" | "compact" | "deflate";
      /** Building (or taking from the cache) the snapshot frames. */
      framesMs: number;
      bytes: number;
      cached: boolean;
    }
  | {
      kind: "ingest";
      events: number;
      counters: number;
      /** Validation and column building. */
      prepareMs: number;
      /** The batch statement (claim, events, rollups). */
      storeMs: number;
      duplicate: boolean;
    };

export type TraceObserver = (trace: DeliveryTrace) => void;

/** Epoch ms, sub-millisecond. */
export function traceNow(): number {
  return performance.timeOrigin + performance.now();
}
