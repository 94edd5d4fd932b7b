/**
 * Records every evaluation: an exact counter per (client, environment, flag, variant, result, minute), and the
 * exposure detail in a bounded buffer. When the buffer is full the detail is dropped and counted; counts stay
 * exact. `seal()` hands everything recorded so far over as one batch per client.
 */
import type { EvaluationContext } from "../store/engine.ts";
import type { AnalyticsBatch, EvaluationCounter, ExposureEvent } from "./types.ts";

/** Counts of one variant: [result false, result true, cached false, cached true]. */
type Cell = Float64Array;
type ByVariant = Map<string, Cell>;
type ByFlag = Map<string, ByVariant>;
type ByEnvironment = Map<string, ByFlag>;
type ByClient = Map<string, ByEnvironment>;

interface Minute {
  minuteMs: number;
  counts: ByClient;
}

/** Minutes kept while the backend is away; older ones fold into the next so totals stay exact. */
const MAX_MINUTES = 24 * 60;
/**
 * Exposure events per batch. A batch is encoded in one synchronous step when it is sent; 10,000 events at once
 * blocked the event loop for tens of milliseconds (a p99 spike on /evaluate at every flush and every retry).
 */
export const EVENTS_PER_BATCH = 1000;

export class Recorder {
  private minute: Minute;
  private closed: Minute[] = [];
  // The exposure buffer: parallel columns filled up to `size`, so recording stores references only.
  private size = 0;
  private readonly flag: string[];
  private readonly env: string[];
  private readonly client: string[];
  private readonly result: boolean[];
  private readonly variant: string[];
  private readonly user: string[];
  private readonly ctx: EvaluationContext[];
  private readonly at: number[];
  private readonly prior: boolean[];
  private droppedSinceSeal = new Map<string, number>();
  private readonly sealedTotals = new Map<
    string,
    { clientId: string; environmentId: string; flagKey: string; count: number }
  >();
  /** Totals for /metrics since start. */
  droppedTotal = 0;
  recordedTotal = 0;

  constructor(
    readonly capacity: number,
    now = Date.now(),
  ) {
    this.minute = { minuteMs: startOfMinute(now), counts: new Map() };
    this.flag = new Array(capacity);
    this.env = new Array(capacity);
    this.client = new Array(capacity);
    this.result = new Array(capacity);
    this.variant = new Array(capacity);
    this.user = new Array(capacity);
    this.ctx = new Array(capacity);
    this.at = new Array(capacity);
    this.prior = new Array(capacity);
  }

  get bufferFill(): number {
    return this.size;
  }

  /** Records one evaluation. `now` is the caller's clock (ms). */
  record(
    clientId: string,
    environmentId: string,
    flagKey: string,
    variant: string,
    result: boolean,
    prior: boolean,
    user: string,
    ctx: EvaluationContext,
    now: number,
  ): void {
    if (now - this.minute.minuteMs >= 60_000) this.rotate(now);
    const cell = cellOf(this.minute.counts, clientId, environmentId, flagKey, variant);
    cell[result ? 1 : 0]++;
    if (prior) cell[result ? 3 : 2]++;
    this.recordedTotal++;
    const i = this.size;
    if (i === this.capacity) {
      this.droppedTotal++;
      this.droppedSinceSeal.set(clientId, (this.droppedSinceSeal.get(clientId) ?? 0) + 1);
      return;
    }
    this.flag[i] = flagKey;
    this.env[i] = environmentId;
    this.client[i] = clientId;
    this.result[i] = result;
    this.variant[i] = variant;
    this.user[i] = user;
    this.ctx[i] = ctx;
    this.at[i] = now;
    this.prior[i] = prior;
    this.size = i + 1;
  }

  /** Evaluations since start per (client, environment, flag), for /metrics; computed when scraped. */
  totals(): Map<string, { clientId: string; environmentId: string; flagKey: string; count: number }> {
    const totals = new Map(this.sealedTotals);
    for (const [key, row] of totals) totals.set(key, { ...row });
    for (const minute of [...this.closed, this.minute]) addTotals(totals, minute.counts);
    return totals;
  }

  /** Everything recorded so far, as one batch per client; the recorder starts empty. */
  seal(newBatchId: () => string, now = Date.now()): AnalyticsBatch[] {
    this.rotate(now);
    const batches = new Map<string, AnalyticsBatch>();
    const batchOf = (clientId: string) => {
      let batch = batches.get(clientId);
      if (!batch) {
        batch = { batchId: newBatchId(), clientId, events: [], counters: [], droppedEvents: 0 };
        batches.set(clientId, batch);
      }
      return batch;
    };
    for (const minute of this.closed) {
      addTotals(this.sealedTotals, minute.counts);
      forEachCell(minute.counts, (clientId, environmentId, featureKey, variant, cell) => {
        const counters = batchOf(clientId).counters;
        const row = (result: boolean, count: number, cachedCount: number): EvaluationCounter => ({
          featureKey,
          environmentId,
          variant,
          result,
          minuteMs: minute.minuteMs,
          evaluationCount: count,
          cachedCount,
        });
        if (cell[0] > 0) counters.push(row(false, cell[0], cell[2]));
        if (cell[1] > 0) counters.push(row(true, cell[1], cell[3]));
      });
    }
    for (let i = 0; i < this.size; i++) batchOf(this.client[i]).events.push(this.event(i));
    for (const [clientId, dropped] of this.droppedSinceSeal) batchOf(clientId).droppedEvents = dropped;
    this.closed = [];
    this.size = 0;
    this.ctx.fill(undefined as unknown as EvaluationContext); // let the contexts go
    this.droppedSinceSeal = new Map();
    return [...batches.values()].flatMap((batch) => splitEvents(batch, newBatchId));
  }

  private event(i: number): ExposureEvent {
    return {
      featureKey: this.flag[i],
      environmentId: this.env[i],
      clientId: this.client[i],
      result: this.result[i],
      variant: this.variant[i],
      context: contextPairs(this.ctx[i]),
      userContext: this.user[i],
      evaluatedAtMs: this.at[i],
      priorAssignment: this.prior[i],
    };
  }

  /** Closes the current minute (when it has counts) and opens the one containing `now`. */
  private rotate(now: number): void {
    const minuteMs = startOfMinute(now);
    if (this.minute.counts.size > 0) this.closed.push(this.minute);
    if (this.closed.length > MAX_MINUTES) foldOldest(this.closed);
    this.minute = { minuteMs, counts: new Map() };
  }
}

/** A batch with more than EVENTS_PER_BATCH events as several: the first keeps the counters, each its own id. */
function splitEvents(batch: AnalyticsBatch, newBatchId: () => string): AnalyticsBatch[] {
  if (batch.events.length <= EVENTS_PER_BATCH) return [batch];
  const parts: AnalyticsBatch[] = [{ ...batch, events: batch.events.slice(0, EVENTS_PER_BATCH) }];
  for (let from = EVENTS_PER_BATCH; from < batch.events.length; from += EVENTS_PER_BATCH) {
    parts.push({
      batchId: newBatchId(),
      clientId: batch.clientId,
      events: batch.events.slice(from, from + EVENTS_PER_BATCH),
      counters: [],
      droppedEvents: 0,
    });
  }
  return parts;
}

function startOfMinute(ms: number): number {
  return ms - (ms % 60_000);
}

function cellOf(counts: ByClient, clientId: string, environmentId: string, flagKey: string, variant: string): Cell {
  let byEnv = counts.get(clientId);
  if (byEnv === undefined) {
    byEnv = new Map();
    counts.set(clientId, byEnv);
  }
  let byFlag = byEnv.get(environmentId);
  if (byFlag === undefined) {
    byFlag = new Map();
    byEnv.set(environmentId, byFlag);
  }
  let byVariant = byFlag.get(flagKey);
  if (byVariant === undefined) {
    byVariant = new Map();
    byFlag.set(flagKey, byVariant);
  }
  let cell = byVariant.get(variant);
  if (cell === undefined) {
    cell = new Float64Array(4);
    byVariant.set(variant, cell);
  }
  return cell;
}

function forEachCell(
  counts: ByClient,
  visit: (clientId: string, environmentId: string, flagKey: string, variant: string, cell: Cell) => void,
): void {
  for (const [c, byEnv] of counts)
    for (const [e, byFlag] of byEnv)
      for (const [f, byVariant] of byFlag) for (const [v, cell] of byVariant) visit(c, e, f, v, cell);
}

function addTotals(
  totals: Map<string, { clientId: string; environmentId: string; flagKey: string; count: number }>,
  counts: ByClient,
): void {
  forEachCell(counts, (clientId, environmentId, flagKey, _variant, cell) => {
    const key = `${clientId}\u0000${environmentId}\u0000${flagKey}`;
    const row = totals.get(key);
    if (row) row.count += cell[0] + cell[1];
    else totals.set(key, { clientId, environmentId, flagKey, count: cell[0] + cell[1] });
  });
}

/** Adds the oldest minute's counts into the next one (totals exact, minute precision lost). */
function foldOldest(closed: Minute[]): void {
  const [oldest, next] = closed;
  forEachCell(oldest.counts, (c, e, f, v, cell) => {
    const into = cellOf(next.counts, c, e, f, v);
    for (let k = 0; k < 4; k++) into[k] += cell[k];
  });
  closed.shift();
}

/** The context as text pairs; values that are not string/number/bool are left out. */
function contextPairs(ctx: EvaluationContext): { key: string; value: string }[] {
  const pairs: { key: string; value: string }[] = [];
  for (const key in ctx) {
    const v = ctx[key];
    if (typeof v === "string") pairs.push({ key, value: v });
    else if (typeof v === "number" || typeof v === "boolean") pairs.push({ key, value: String(v) });
  }
  return pairs;
}
