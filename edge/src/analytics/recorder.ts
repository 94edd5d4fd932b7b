/**
 * Records every evaluation: an exact counter per (client, environment, flag, variant, result, minute), and the
 * exposure detail in a bounded buffer. When the buffer is full the detail is dropped and counted; counts stay
 * exact. `seal()` hands everything recorded so far over as one batch per client.
 */
import { detailText, EXPOSURE_DETAIL_LIMITS } from "@fluxgate/proto";
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
 * Exposure events per batch. A batch is encoded in one synchronous step when it is sent: 10,000 events at once
 * blocked the event loop for tens of milliseconds (a p99 spike on /evaluate at every flush and every retry), and
 * even 1,000 took 15–25 ms while the encoder was cold (an edge's first flushes), 250 about a third of that.
 */
export const EVENTS_PER_BATCH = 250;

/**
 * Context text (keys plus values, UTF-16 units) kept per exposure event. The backend takes messages up to 8 MB: at
 * 3 UTF-8 bytes a unit, a batch of such events plus their other fields stays far below it, whatever callers send
 * (a 64 KB request body can hold a 60,000-character context).
 */
export const EVENT_CONTEXT_TEXT = 1500;

/**
 * The exposure buffer: parallel columns filled up to a size, so recording stores references only. Sealing copies
 * the filled part out (nine array slices); a batch's event objects are built when it is sent (building all 10,000
 * at the seal took 10–20 ms of event loop: the open-loop p99.9 on /evaluate).
 */
interface Columns {
  flag: string[];
  env: string[];
  client: string[];
  result: boolean[];
  variant: string[];
  user: string[];
  ctx: EvaluationContext[];
  at: number[];
  prior: boolean[];
}

/** Columns for `capacity` evaluations, allocated once (recording into pre-sized arrays is ~20 ns cheaper). */
function emptyColumns(capacity: number): Columns {
  return {
    flag: new Array(capacity),
    env: new Array(capacity),
    client: new Array(capacity),
    result: new Array(capacity),
    variant: new Array(capacity),
    user: new Array(capacity),
    ctx: new Array(capacity),
    at: new Array(capacity),
    prior: new Array(capacity),
  };
}

/** The first `size` rows of every column, as new arrays. */
function sliceColumns(c: Columns, size: number): Columns {
  return {
    flag: c.flag.slice(0, size),
    env: c.env.slice(0, size),
    client: c.client.slice(0, size),
    result: c.result.slice(0, size),
    variant: c.variant.slice(0, size),
    user: c.user.slice(0, size),
    ctx: c.ctx.slice(0, size),
    at: c.at.slice(0, size),
    prior: c.prior.slice(0, size),
  };
}

export class Recorder {
  private minute: Minute;
  private closed: Minute[] = [];
  private columns: Columns;
  private size = 0;
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
    this.columns = emptyColumns(capacity);
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
    const c = this.columns;
    c.flag[i] = flagKey;
    c.env[i] = environmentId;
    c.client[i] = clientId;
    c.result[i] = result;
    c.variant[i] = variant;
    c.user[i] = user;
    c.ctx[i] = ctx;
    c.at[i] = now;
    c.prior[i] = prior;
    this.size = i + 1;
  }

  /** Evaluations since start per (client, environment, flag), for /metrics; computed when scraped. */
  totals(): Map<string, { clientId: string; environmentId: string; flagKey: string; count: number }> {
    const totals = new Map(this.sealedTotals);
    for (const [key, row] of totals) totals.set(key, { ...row });
    for (const minute of [...this.closed, this.minute]) addTotals(totals, minute.counts);
    return totals;
  }

  /**
   * Everything recorded so far, as one batch per client (more when a client has over EVENTS_PER_BATCH events);
   * the recorder starts empty. Costs the counters and a pass over the client column; events are built on send.
   */
  seal(newBatchId: () => string, now = Date.now()): AnalyticsBatch[] {
    this.rotate(now);
    const batches = new Map<string, SealedBatch>();
    const batchOf = (clientId: string) => {
      let batch = batches.get(clientId);
      if (!batch) {
        batch = { batchId: newBatchId(), clientId, eventRows: [], counters: [], droppedEvents: 0 };
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
    const columns = sliceColumns(this.columns, this.size); // lives on in the batches until they are sent
    for (let i = 0; i < this.size; i++) batchOf(columns.client[i]).eventRows.push(i);
    for (const [clientId, dropped] of this.droppedSinceSeal) batchOf(clientId).droppedEvents = dropped;
    this.closed = [];
    this.columns.ctx.fill(undefined as unknown as EvaluationContext, 0, this.size); // let the contexts go
    this.size = 0;
    this.droppedSinceSeal = new Map();
    return [...batches.values()].flatMap((batch) => splitEvents(batch, newBatchId, columns));
  }

  /** Closes the current minute (when it has counts) and opens the one containing `now`. */
  private rotate(now: number): void {
    const minuteMs = startOfMinute(now);
    if (this.minute.counts.size > 0) this.closed.push(this.minute);
    if (this.closed.length > MAX_MINUTES) foldOldest(this.closed);
    this.minute = { minuteMs, counts: new Map() };
  }
}

/** A client's sealed analytics: its events as rows of the sealed columns. */
interface SealedBatch extends Omit<AnalyticsBatch, "events"> {
  eventRows: number[];
}

/** A batch with more than EVENTS_PER_BATCH events as several: the first keeps the counters, each its own id. */
function splitEvents(batch: SealedBatch, newBatchId: () => string, columns: Columns): AnalyticsBatch[] {
  const { eventRows, ...first } = batch;
  const parts = [withEvents(first, columns, eventRows.slice(0, EVENTS_PER_BATCH))];
  for (let from = EVENTS_PER_BATCH; from < eventRows.length; from += EVENTS_PER_BATCH) {
    const rest = { batchId: newBatchId(), clientId: batch.clientId, counters: [], droppedEvents: 0 };
    parts.push(withEvents(rest, columns, eventRows.slice(from, from + EVENTS_PER_BATCH)));
  }
  return parts;
}

/** The batch with `events` built from its rows the first time they are read (when it is sent). */
function withEvents(batch: Omit<AnalyticsBatch, "events">, columns: Columns, rows: number[]): AnalyticsBatch {
  let events: ExposureEvent[] | undefined;
  return {
    ...batch,
    get events() {
      events ??= rows.map((i) => eventAt(columns, i));
      return events;
    },
  };
}

function eventAt(c: Columns, i: number): ExposureEvent {
  return {
    featureKey: c.flag[i],
    environmentId: c.env[i],
    clientId: c.client[i],
    result: c.result[i],
    variant: c.variant[i],
    context: contextPairs(c.ctx[i]),
    userContext: detailText(c.user[i], EXPOSURE_DETAIL_LIMITS.userContext),
    evaluatedAtMs: c.at[i],
    priorAssignment: c.prior[i],
  };
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

/**
 * The context as text pairs, as much as the detail limits keep, in order: a key longer than a key may be is left
 * out (cut, it would name another attribute), a value is cut; values that are not string/number/bool are left out.
 */
function contextPairs(ctx: EvaluationContext): { key: string; value: string }[] {
  const { contextPairs: maxPairs, contextText } = EXPOSURE_DETAIL_LIMITS;
  const pairs: { key: string; value: string }[] = [];
  let room = EVENT_CONTEXT_TEXT;
  for (const name in ctx) {
    const v = ctx[name];
    const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
    if (text === undefined || name.length > contextText) continue;
    if (name.length >= room) break;
    const key = detailText(name, contextText);
    const value = detailText(text, Math.min(contextText, room - key.length));
    room -= key.length + value.length;
    pairs.push({ key, value });
    if (pairs.length === maxPairs) break;
  }
  return pairs;
}
