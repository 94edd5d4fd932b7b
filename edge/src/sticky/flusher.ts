/** Sends queued sticky assignments to the backend every `intervalMs`, per team, over a link of that team. */
import { errorText, type Logger } from "../log.ts";
import type { Connection } from "../upstream/types.ts";
import { UpstreamError } from "../upstream/types.ts";
import type { StickyAssignments } from "./assignments.ts";

export interface AssignmentFlusherOptions {
  sticky: StickyAssignments;
  /** A connection able to push for this team, if any. */
  connectionFor(teamId: string): Connection | undefined;
  intervalMs: number;
  log: Logger;
}

export class AssignmentFlusher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  pushedTotal = 0;

  constructor(private readonly o: AssignmentFlusherOptions) {}

  start(onTick?: () => void): void {
    this.timer = setInterval(() => {
      onTick?.();
      void this.flush();
    }, this.o.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  flush(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    for (const teamId of this.o.sticky.teamsWithPending()) {
      const connection = this.o.connectionFor(teamId);
      if (!connection) continue;
      const rows = this.o.sticky.drain(teamId);
      try {
        await connection.pushUserAssignments(rows);
        this.pushedTotal += rows.length;
      } catch (error) {
        if (error instanceof UpstreamError && !error.retryable) {
          this.o.log.error("sticky assignments refused by the backend; discarded", {
            teamId,
            rows: rows.length,
            error,
          });
          continue;
        }
        this.o.sticky.requeue(teamId, rows);
        this.o.log.warn("sticky assignment flush failed; will retry", { teamId, error: errorText(error) });
      }
    }
  }
}
