/**
 * PushEvaluationEvents: validates a batch, stores its events in bulk and adds to the per-minute
 * rollups in one transaction, at most once per `batch_id` (a batch retried after a lost reply is
 * acknowledged with its original count and not stored again).
 *
 * Rollups come from `counters` when the batch has any (an edge under back-pressure keeps exact counts
 * and drops raw detail, so its counters are the truth), else from the events themselves.
 */
import type { Db } from "@fluxgate/drizzle";
import type { ContextPair, EvaluationCounter, FeatureEvaluationEvent } from "@fluxgate/proto";
import type { ClientRecord } from "./auth.ts";
import { invalid, isUuid } from "./errors.ts";
import { addRollups, claimBatch, type EventRow, findBatch, insertEvents, type RollupRow } from "./events-repository.ts";

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
const MAX_CONTEXT_PAIRS = 100;
const MAX_CONTEXT_TEXT = 1_000;

export async function ingestEvaluations(
  db: Db,
  client: ClientRecord,
  batch: IngestBatch,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Promise<IngestResult> {
  const batchId = batch.batchId || crypto.randomUUID();
  if (!isUuid(batchId)) throw invalid("batch_id must be a UUID");
  if (batch.events.length > limits.maxEvents) throw invalid(`at most ${limits.maxEvents} events per batch`);
  if (batch.counters.length > limits.maxCounters) throw invalid(`at most ${limits.maxCounters} counters per batch`);
  const now = Date.now();
  const events = batch.events.map((e, i) => toEventRow(e, i, client.id, now));
  const counters = batch.counters.map((c, i) => toRollupRow(c, i));
  const count = events.length + counters.length;
  if (count === 0) return { processedCount: 0, duplicate: false, batchId };
  const rollups = counters.length > 0 ? aggregate(counters) : aggregate(events.map(eventIncrement));
  const scope = { teamId: client.teamId, clientId: client.id, batchId };
  const stored = await db.transaction(async (tx) => {
    if (!(await claimBatch(tx, { ...scope, count }))) return false;
    await insertEvents(tx, scope, events);
    await addRollups(tx, scope, rollups);
    return true;
  });
  if (stored) return { processedCount: count, duplicate: false, batchId };
  const previous = await findBatch(db, batchId);
  if (!previous || previous.clientId !== client.id) throw invalid("batch_id was already used by another client");
  return { processedCount: previous.count, duplicate: true, batchId };
}

function toEventRow(e: FeatureEvaluationEvent, i: number, clientId: string, now: number): EventRow {
  const where = `events[${i}]`;
  if (e.client_id && e.client_id.toLowerCase() !== clientId) throw invalid(`${where}.client_id is another client`);
  return {
    k: text(e.feature_key, `${where}.feature_key`, 100, true),
    e: text(e.environment_id, `${where}.environment_id`, 100, true),
    t: timestamp(e.evaluated_at_unix_ms, now),
    r: e.evaluation_result === true,
    v: text(e.variant, `${where}.variant`, 100, false) || null,
    c: contextObject(e.evaluation_context, where),
    u: text(e.user_context, `${where}.user_context`, 255, false) || null,
    p: e.prior_assignment === true,
  };
}

function toRollupRow(c: EvaluationCounter, i: number): RollupRow {
  const where = `counters[${i}]`;
  const n = Number(c.evaluation_count);
  const cached = Number(c.cached_count);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${where}.evaluation_count must be a non-negative integer`);
  if (!Number.isSafeInteger(cached) || cached < 0 || cached > n) {
    throw invalid(`${where}.cached_count must be between 0 and evaluation_count`);
  }
  const minute = Number(c.minute_unix_ms);
  if (!Number.isFinite(minute) || minute <= 0) throw invalid(`${where}.minute_unix_ms is required`);
  return {
    b: Math.floor(minute / MINUTE) * MINUTE,
    k: text(c.feature_key, `${where}.feature_key`, 100, true),
    e: text(c.environment_id, `${where}.environment_id`, 100, true),
    v: text(c.variant, `${where}.variant`, 100, false),
    r: c.result === true,
    n,
    c: cached,
  };
}

function eventIncrement(e: EventRow): RollupRow {
  return { b: Math.floor(e.t / MINUTE) * MINUTE, k: e.k, e: e.e, v: e.v ?? "", r: e.r, n: 1, c: e.p ? 1 : 0 };
}

/** One row per rollup key, sorted so concurrent batches lock rows in the same order. */
function aggregate(rows: RollupRow[]): RollupRow[] {
  const byKey = new Map<string, RollupRow>();
  for (const row of rows) {
    const key = `${row.b}\u0000${row.k}\u0000${row.e}\u0000${row.v}\u0000${row.r}`;
    const sum = byKey.get(key);
    if (sum) {
      sum.n += row.n;
      sum.c += row.c;
    } else byKey.set(key, { ...row });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

function text(value: unknown, field: string, max: number, required: boolean): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`);
  if (required && value.length === 0) throw invalid(`${field} is required`);
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  return value;
}

/** Epoch ms; 0, negative or absurd values (more than a day ahead) become the receive time. */
function timestamp(ms: number, now: number): number {
  const t = Number(ms);
  return Number.isFinite(t) && t > 0 && t <= now + 86_400_000 ? t : now;
}

/** Context pairs as an object (a repeated key: the last wins, as in the original). */
function contextObject(pairs: ContextPair[], where: string): Record<string, string> | null {
  if (pairs.length === 0) return null;
  if (pairs.length > MAX_CONTEXT_PAIRS)
    throw invalid(`${where}.evaluation_context has more than ${MAX_CONTEXT_PAIRS} pairs`);
  const out: Record<string, string> = Object.create(null);
  for (const { key, value } of pairs) {
    if (key.length > MAX_CONTEXT_TEXT || value.length > MAX_CONTEXT_TEXT) {
      throw invalid(`${where}.evaluation_context entries are limited to ${MAX_CONTEXT_TEXT} characters`);
    }
    out[key] = value;
  }
  return out;
}
