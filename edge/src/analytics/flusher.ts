/**
 * Sends analytics batches: every `intervalMs` the recorder is sealed into one batch per client, and each batch is
 * sent until the backend has it. A failed batch keeps its id (the backend drops a batch it already stored) and is
 * retried with capped exponential backoff; nothing new is sealed while one is outstanding, so memory stays bounded
 * by the recorder (exact counters, bounded detail).
 */
import { errorText, type Logger } from "../log.ts";
import { UpstreamError } from "../upstream/types.ts";
import type { Recorder } from "./recorder.ts";
import type { AnalyticsBatch } from "./types.ts";

export interface FlusherOptions {
  recorder: Recorder;
  send(batch: AnalyticsBatch): Promise<void>;
  intervalMs: number;
  log: Logger;
  /** First retry delay; doubles per failure up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class AnalyticsFlusher {
  private pending: AnalyticsBatch[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  /** Epoch ms of the last seal; evaluations before it are in `pending` or delivered. */
  lastSealMs = 0;
  deliveredBatches = 0;
  failedAttempts = 0;
  discardedBatches = 0;

  constructor(private readonly o: FlusherOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
  }

  get pendingBatches(): number {
    return this.pending.length;
  }

  /** Whether a client has evaluations not yet delivered (recorded after `lastSealMs`, or in a pending batch). */
  hasUndelivered(clientId: string, lastUsedMs: number): boolean {
    return lastUsedMs >= this.lastSealMs || this.pending.some((b) => b.clientId === clientId);
  }

  /** One round now: seal (when nothing is outstanding) and try every pending batch once. */
  flush(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timers; a last `flush()` is the caller's to make. */
  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.retryTimer !== undefined) return; // a backoff is running; it decides when to try next
    await this.flush();
  }

  private async round(): Promise<void> {
    if (this.pending.length === 0) {
      this.lastSealMs = Date.now();
      this.pending = this.o.recorder.seal(() => crypto.randomUUID(), this.lastSealMs);
    }
    const failed: AnalyticsBatch[] = [];
    for (const [i, batch] of this.pending.entries()) {
      try {
        await this.o.send(batch);
        this.deliveredBatches++;
      } catch (error) {
        this.failedAttempts++;
        if (error instanceof UpstreamError && !error.retryable) {
          this.discardedBatches++;
          this.o.log.error("analytics batch refused by the backend; discarded", { batchId: batch.batchId, error });
          continue;
        }
        this.o.log.warn("analytics flush failed; will retry with the same batch id", {
          batchId: batch.batchId,
          error: errorText(error),
        });
        // the backend is away: the rest waits for the retry rather than each being encoded only to fail
        failed.push(...this.pending.slice(i));
        break;
      }
    }
    this.pending = failed;
    if (failed.length === 0) {
      this.failures = 0;
      return;
    }
    this.failures++;
    const base = this.o.baseBackoffMs ?? 1000;
    const delay = Math.min(base * 2 ** (this.failures - 1), this.o.maxBackoffMs ?? 60_000);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        void this.flush();
      },
      delay * (0.8 + Math.random() * 0.4),
    );
  }
}
