/**
 * Reads the change log after the last version this process has seen and hands new changes on, in
 * version order. Woken by NOTIFY on `CONFIG_CHANNEL` (drizzle's `recordConfigChange` sends it at commit) and
 * by a poll as a safety net; the payload is never trusted, every wake-up reads the table. A NOTIFY starts a
 * read at once (or right after the read in progress): nothing waits on a timer on this path.
 *
 * Versions come from a sequence taken inside writers' transactions, so they can commit out of order:
 * version 11 may be visible before 10. The feed keeps `stable` (every version ≤ it was handled or is
 * known to be gone) and remembers what it handled above it; a missing version is waited for until
 * `holeTimeoutMs` (then it was rolled back, or its transaction is very long: its flag is still read
 * fresh by the next change or snapshot).
 */
import { CONFIG_CHANNEL, type DatabaseHandle, type Db } from "@fluxgate/drizzle";
import { type ChangeRow, changesAfter, changesWithFlags, logBounds } from "./change-repository.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import { traceNow } from "./trace.ts";

/** What came with a batch of change rows. */
export interface ChangeRead {
  /** The current flags of the changed features of the teams loaded when the read was sent, by id. */
  flags: Map<string, FlagRecord>;
  /** The read was sent: its database snapshot is no older than this instant. */
  sentAt: number;
  /** A NOTIFY woke the read (null: the poll, or a read already running). */
  notifiedAt: number | null;
  /** The rows were read. */
  readAt: number;
}

export interface ChangeFeedOptions {
  pollMs: number;
  holeTimeoutMs: number;
  batchSize?: number;
  /** Teams whose changed flags to read along with the changes (the hub's loaded teams). */
  loadedTeams?: () => string[];
}

export class ChangeFeed {
  /** Every version ≤ stable is handled or abandoned. */
  stable = 0;
  private readonly seenAbove = new Set<number>();
  private readonly holes = new Map<number, number>();
  private reading: Promise<void> | null = null;
  private again = false;
  /** When the earliest NOTIFY not yet followed by a read arrived. */
  private notifiedAt: number | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly unlisten: (() => Promise<void>)[] = [];
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly handle: Pick<DatabaseHandle, "listen">,
    private readonly handleChanges: (rows: ChangeRow[], read: ChangeRead) => Promise<void>,
    private readonly options: ChangeFeedOptions,
  ) {}

  async start(): Promise<void> {
    this.unlisten.push(await this.handle.listen(CONFIG_CHANNEL, () => this.notified()));
    const { high } = await logBounds(this.db);
    // versions just below the newest may still be committing: treat the recent window as open
    const window = 100;
    this.stable = Math.max(0, high - window);
    const recent = await changesAfter(this.db, this.stable, window);
    for (const row of recent) this.seenAbove.add(Number(row.version));
    this.advance(Date.now());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.unlisten.map((u) => u().catch(() => {})));
    await this.reading;
  }

  private notified(): void {
    this.notifiedAt ??= traceNow();
    this.wake();
  }

  /** Reads now (or right after the read in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readLoop().finally(() => {
      this.reading = null;
    });
  }

  /** Resolves once everything visible now has been handled (tests, benches). */
  async settle(): Promise<void> {
    this.wake();
    while (this.reading) await this.reading;
  }

  private async readLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        const batchSize = this.options.batchSize ?? 2000;
        const notifiedAt = this.notifiedAt;
        this.notifiedAt = null;
        const sentAt = traceNow();
        // the new changes and the changed flags of loaded teams in one round trip: the hot path of propagation
        const { rows, flags } = await changesWithFlags(
          this.db,
          this.stable,
          batchSize,
          this.options.loadedTeams?.() ?? [],
          [...this.seenAbove],
        );
        const fresh = rows.filter((r) => !this.seenAbove.has(Number(r.version)));
        if (fresh.length > 0) await this.handleChanges(fresh, { flags, sentAt, notifiedAt, readAt: traceNow() });
        for (const row of fresh) this.seenAbove.add(Number(row.version));
        this.advance(Date.now());
        if (rows.length === batchSize) this.again = true;
      } catch (error) {
        // the poll retries; nothing is marked handled
        if (!this.stopped) console.error("delivery: reading the change log failed", error);
      }
    } while (this.again && !this.stopped);
  }

  private advance(now: number): void {
    let top = this.stable;
    for (const v of this.seenAbove) if (v > top) top = v;
    const scanTo = Math.min(top, this.stable + 10_000);
    for (let v = this.stable + 1; v <= scanTo; v++) {
      if (!this.seenAbove.has(v) && !this.holes.has(v)) this.holes.set(v, now);
    }
    for (;;) {
      const next = this.stable + 1;
      if (next > top) break;
      if (this.seenAbove.delete(next)) {
        this.stable = next;
        continue;
      }
      const since = this.holes.get(next);
      if (since === undefined || now - since >= this.options.holeTimeoutMs || next > scanTo) {
        this.holes.delete(next);
        this.stable = next;
        continue;
      }
      break;
    }
  }
}
