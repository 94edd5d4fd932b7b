/**
 * PushEvaluationEvents: validates a batch, stores its events in bulk and adds to the per-minute
 * rollups in one transaction, at most once per `batch_id` (a batch retried after a lost reply is
 * acknowledged with its original count and not stored again). Batches arriving together share that
 * transaction (`BatchWriter`).
 *
 * Rollups come from `counters` when the batch has any (an edge under back-pressure keeps exact counts
 * and drops raw detail, so its counters are the truth), else from the events themselves.
 *
 * What identifies a count (flag, environment, variant, client, ids, numbers) is checked strictly: a malformed
 * batch is INVALID_ARGUMENT, never retried. The free-form detail (context, user) comes from the edge's callers and
 * is cut to the limits of `detailText` instead: one awkward request must not cost every other count of the batch.
 */
import type { Db } from "@fluxgate/drizzle";
import {
  type ContextPair,
  detailText,
  type EvaluationCounter,
  EXPOSURE_DETAIL_LIMITS,
  type FeatureEvaluationEvent,
} from "@fluxgate/proto";
import type { ClientRecord } from "./auth.ts";
import { invalid, isUuid } from "./errors.ts";
import {
  type BatchToStore,
  type EventColumns,
  findBatch,
  type RollupColumns,
  storeBatches,
} from "./events-repository.ts";
import type { TraceObserver } from "./trace.ts";

export interface IngestLimits {
  maxEvents: number;
  maxCounters: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = { maxEvents: 50_000, maxCounters: 50_000 };

export interface IngestBatch {
  batchId: string;
  events: FeatureEvaluationEvent[];
  counters: EvaluationCounter[];
}

export interface IngestResult {
  /** Events plus counters stored (or stored the first time, for a duplicate). */
  processedCount: number;
  duplicate: boolean;
  batchId: string;
}

const MINUTE = 60_000;

export async function ingestEvaluations(
  db: Db,
  client: ClientRecord,
  batch: IngestBatch,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
  trace?: TraceObserver,
): Promise<IngestResult> {
  const started = trace ? performance.now() : 0;
  const batchId = batch.batchId || crypto.randomUUID();
  if (!isUuid(batchId)) throw invalid("batch_id must be a UUID");
  if (batch.events.length > limits.maxEvents) throw invalid(`at most ${limits.maxEvents} events per batch`);
  if (batch.counters.length > limits.maxCounters) throw invalid(`at most ${limits.maxCounters} counters per batch`);
  const count = batch.events.length + batch.counters.length;
  if (count === 0) return { processedCount: 0, duplicate: false, batchId };
  const fromCounters = batch.counters.length > 0;
  const rollups = new Rollups();
  const events = toEventColumns(batch.events, client.id, Date.now(), fromCounters ? null : rollups);
  if (fromCounters) for (let i = 0; i < batch.counters.length; i++) addCounter(rollups, batch.counters[i], i);
  const toStore = { teamId: client.teamId, clientId: client.id, batchId, count, events, rollups: rollups.columns() };
  const prepared = trace ? performance.now() : 0;
  const stored = await writerOf(db).store(toStore);
  trace?.({
    kind: "ingest",
    events: batch.events.length,
    counters: batch.counters.length,
    prepareMs: prepared - started,
    storeMs: performance.now() - prepared,
    duplicate: !stored,
  });
  if (stored) return { processedCount: count, duplicate: false, batchId };
  const previous = await findBatch(db, batchId);
  if (!previous || previous.clientId !== client.id) throw invalid("batch_id was already used by another client");
  return { processedCount: previous.count, duplicate: true, batchId };
}

/** Events per statement when batches are stored together (a single batch is never split). */
const GROUP_MAX_EVENTS = 50_000;
/** Batch statements in flight per database handle; batches arriving meanwhile wait and go together. */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  batch: BatchToStore;
  done: (stored: boolean) => void;
  failed: (error: unknown) => void;
}

/**
 * Group commit: up to `MAX_IN_FLIGHT` batch statements at a time per database; batches arriving while they run are
 * stored together by the next statement (one round trip, one commit, their rollup increments summed), so under load
 * the statements grow instead of queueing behind each other's rollup row locks. A lone batch goes at once. When a
 * statement of several batches fails, each is retried alone, so one bad batch fails only its own call.
 */
class BatchWriter {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Db) {}

  store(batch: BatchToStore): Promise<boolean> {
    return new Promise((done, failed) => {
      this.waiting.push({ batch, done, failed });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const group = this.take();
      this.inFlight++;
      this.write(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next group: waiting batches in arrival order up to the size cap, each batch id at most once. */
  private take(): Waiting[] {
    const group: Waiting[] = [];
    const ids = new Set<string>();
    let events = 0;
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i];
      const size = w.batch.events.k.length + w.batch.rollups.b.length;
      if (group.length > 0 && events + size > GROUP_MAX_EVENTS) break;
      if (ids.has(w.batch.batchId)) {
        i++;
        continue;
      }
      ids.add(w.batch.batchId);
      events += size;
      group.push(w);
      this.waiting.splice(i, 1);
    }
    return group;
  }

  private async write(group: Waiting[]): Promise<void> {
    try {
      const claimed = await storeBatches(
        this.db,
        group.map((w) => w.batch),
      );
      for (const w of group) w.done(claimed.has(w.batch.batchId));
    } catch (error) {
      if (group.length === 1) {
        group[0].failed(error);
        return;
      }
      for (const w of group) {
        await storeBatches(this.db, [w.batch]).then(
          (claimed) => w.done(claimed.has(w.batch.batchId)),
          (e: unknown) => w.failed(e),
        );
      }
    }
  }
}

const writers = new WeakMap<Db, BatchWriter>();

function writerOf(db: Db): BatchWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new BatchWriter(db);
    writers.set(db, writer);
  }
  return writer;
}

/** Validates the events into column arrays; with `rollups`, counts each event there too. */
function toEventColumns(
  list: FeatureEvaluationEvent[],
  clientId: string,
  now: number,
  rollups: Rollups | null,
): EventColumns {
  const n = list.length;
  const cols: EventColumns = {
    k: new Array(n),
    e: new Array(n),
    t: new Array(n),
    r: new Array(n),
    v: new Array(n),
    c: new Array(n),
    u: new Array(n),
    p: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const e = list[i];
    const where = `events[${i}]`;
    if (e.client_id && e.client_id.toLowerCase() !== clientId) throw invalid(`${where}.client_id is another client`);
    const key = text(e.feature_key, `${where}.feature_key`, 100, true);
    const env = text(e.environment_id, `${where}.environment_id`, 100, true);
    const at = timestamp(e.evaluated_at_unix_ms, now);
    const result = e.evaluation_result === true;
    const variant = text(e.variant, `${where}.variant`, 100, false);
    const prior = e.prior_assignment === true;
    cols.k[i] = key;
    cols.e[i] = env;
    cols.t[i] = at;
    cols.r[i] = result;
    cols.v[i] = variant || null;
    cols.c[i] = contextJson(e.evaluation_context);
    cols.u[i] = detailText(String(e.user_context ?? ""), EXPOSURE_DETAIL_LIMITS.userContext) || null;
    cols.p[i] = prior;
    rollups?.add(Math.floor(at / MINUTE) * MINUTE, key, env, variant, result, 1, prior ? 1 : 0);
  }
  return cols;
}

function addCounter(rollups: Rollups, c: EvaluationCounter, i: number): void {
  const where = `counters[${i}]`;
  const n = Number(c.evaluation_count);
  const cached = Number(c.cached_count);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${where}.evaluation_count must be a non-negative integer`);
  if (!Number.isSafeInteger(cached) || cached < 0 || cached > n) {
    throw invalid(`${where}.cached_count must be between 0 and evaluation_count`);
  }
  const minute = Number(c.minute_unix_ms);
  if (!Number.isFinite(minute) || minute <= 0) throw invalid(`${where}.minute_unix_ms is required`);
  rollups.add(
    Math.floor(minute / MINUTE) * MINUTE,
    text(c.feature_key, `${where}.feature_key`, 100, true),
    text(c.environment_id, `${where}.environment_id`, 100, true),
    text(c.variant, `${where}.variant`, 100, false),
    c.result === true,
    n,
    cached,
  );
}

interface RollupSum {
  b: number;
  k: string;
  e: string;
  v: string;
  r: boolean;
  n: number;
  c: number;
}

/** Rollup increments summed per key (minute, flag, environment, variant, result). */
class Rollups {
  private readonly byKey = new Map<string, RollupSum>();

  add(b: number, k: string, e: string, v: string, r: boolean, n: number, c: number): void {
    const key = `${b}\u0000${k}\u0000${e}\u0000${v}\u0000${r}`;
    const sum = this.byKey.get(key);
    if (sum) {
      sum.n += n;
      sum.c += c;
    } else this.byKey.set(key, { b, k, e, v, r, n, c });
  }

  /** One row per key, sorted by key so concurrent batches lock rollup rows in the same order. */
  columns(): RollupColumns {
    const keys = [...this.byKey.keys()].sort();
    const cols: RollupColumns = { b: [], k: [], e: [], v: [], r: [], n: [], c: [] };
    for (const key of keys) {
      const s = this.byKey.get(key) as RollupSum;
      cols.b.push(s.b);
      cols.k.push(s.k);
      cols.e.push(s.e);
      cols.v.push(s.v);
      cols.r.push(s.r);
      cols.n.push(s.n);
      cols.c.push(s.c);
    }
    return cols;
  }
}

function text(value: unknown, field: string, max: number, required: boolean): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`);
  if (required && value.length === 0) throw invalid(`${field} is required`);
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if (value.includes("\u0000")) throw invalid(`${field} contains a NUL character`);
  return value;
}

/** Epoch ms; 0, negative or absurd values (more than a day ahead) become the receive time. */
function timestamp(ms: number, now: number): number {
  const t = Number(ms);
  return Number.isFinite(t) && t > 0 && t <= now + 86_400_000 ? t : now;
}

/**
 * The first context pairs (up to the limit, keys and values cut to theirs) as a JSON object text (a repeated
 * key: the last wins, as in the original — and as jsonb keeps it), or null when there are none.
 */
function contextJson(pairs: ContextPair[]): string | null {
  const { contextPairs, contextText } = EXPOSURE_DETAIL_LIMITS;
  const n = Math.min(pairs.length, contextPairs);
  if (n === 0) return null;
  let json = "{";
  for (let i = 0; i < n; i++) {
    const key = detailText(String(pairs[i].key ?? ""), contextText);
    const value = detailText(String(pairs[i].value ?? ""), contextText);
    json += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return `${json}}`;
}
