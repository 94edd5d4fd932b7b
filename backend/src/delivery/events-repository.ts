/**
 * Bulk storage of evaluation events and their per-minute rollups.
 *
 * Batches are stored by ONE statement (one or several batches at a time): the batch claims, the events, the rollup
 * upsert and the analytics deltas as data-modifying CTEs, atomic like a transaction and one round trip. Rows travel as column arrays (Postgres array literals
 * built here, one text parameter per column) expanded by `unnest`, so the parameter count is fixed
 * and there is no per-row JSON on either side except the context object itself.
 */
import { type Executor, executeRows } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";
import { analyticsDeltasOfBatches } from "../analytics/ingest-repository.ts";
import { boolArray, numberArray, textArray } from "../sql-arrays.ts";

/** Events of a batch, one array per column, all the same length (`t` epoch ms, `c` the context as JSON text). */
export interface EventColumns {
  k: string[];
  e: string[];
  t: number[];
  r: boolean[];
  v: (string | null)[];
  c: (string | null)[];
  u: (string | null)[];
  p: boolean[];
}

/** Rollup increments, one array per column, unique per key and sorted (lock order); `b` minute start, epoch ms. */
export interface RollupColumns {
  b: number[];
  k: string[];
  e: string[];
  v: string[];
  r: boolean[];
  n: number[];
  c: number[];
}

/** One validated batch, ready to store. */
export interface BatchToStore {
  batchId: string;
  clientId: string;
  teamId: string;
  /** Events plus counters (what a duplicate is acknowledged with). */
  count: number;
  events: EventColumns;
  rollups: RollupColumns;
}

/**
 * Stores several batches in ONE statement (one round trip, one commit): claims their ids and, for each claim that
 * is new, stores its events, adds its increments to the rollups (summed over the batches, in key order so
 * concurrent statements lock rollup rows in the same order) and writes its analytics deltas — all or nothing.
 * Returns the ids claimed now; an id stored before gets nothing written. Batch ids must be distinct.
 *
 * Rows travel as column arrays with a batch ordinal (`g`, 1-based) joined to the claimed batches.
 */
export async function storeBatches(executor: Executor, batches: readonly BatchToStore[]): Promise<Set<string>> {
  const ev = concatColumns(batches.map((b) => b.events));
  const ru = concatColumns(batches.map((b) => b.rollups));
  const rows = await executeRows<{ id: string }>(
    executor,
    sql`with batch as (
        select * from unnest(${textArray(batches.map((b) => b.batchId))}::uuid[],
                             ${textArray(batches.map((b) => b.clientId))}::uuid[],
                             ${textArray(batches.map((b) => b.teamId))}::uuid[],
                             ${numberArray(batches.map((b) => b.count))}::int4[])
          with ordinality as b(batch_id, client_id, team_id, event_count, g)
      ), claim as (
        insert into evaluation_batches (batch_id, client_id, team_id, event_count)
        select batch_id, client_id, team_id, event_count from batch order by batch_id
        on conflict (batch_id) do nothing
        returning batch_id
      ), claimed as (
        select b.batch_id, b.client_id, b.team_id, b.g from batch b join claim using (batch_id)
      ), stored_events as (
        insert into evaluation_events
          (team_id, batch_id, client_id, feature_key, environment_id, evaluated_at, result, variant,
           evaluation_context, user_context, prior_assignment)
        select c.team_id, c.batch_id, c.client_id, x.k, x.e, to_timestamp(x.t / 1000.0), x.r, x.v, x.c::jsonb, x.u, x.p
        from unnest(${textArray(ev.k)}::text[], ${textArray(ev.e)}::text[], ${numberArray(ev.t)}::float8[],
                    ${boolArray(ev.r)}::bool[], ${textArray(ev.v)}::text[], ${textArray(ev.c)}::text[],
                    ${textArray(ev.u)}::text[], ${boolArray(ev.p)}::bool[], ${numberArray(ev.g)}::int8[])
          as x(k, e, t, r, v, c, u, p, g)
          join claimed c on c.g = x.g
      ), added_rollups as (
        insert into evaluation_rollups
          (team_id, bucket, feature_key, environment_id, client_id, variant, result, evaluation_count, cached_count)
        select c.team_id, to_timestamp(x.b / 1000.0), x.k, x.e, c.client_id, x.v, x.r, sum(x.n), sum(x.c)
        from unnest(${numberArray(ru.b)}::float8[], ${textArray(ru.k)}::text[], ${textArray(ru.e)}::text[],
                    ${textArray(ru.v)}::text[], ${boolArray(ru.r)}::bool[], ${numberArray(ru.n)}::int8[],
                    ${numberArray(ru.c)}::int8[], ${numberArray(ru.g)}::int8[])
          as x(b, k, e, v, r, n, c, g)
          join claimed c on c.g = x.g
        group by 1, 2, 3, 4, 5, 6, 7
        order by 1, 2, 3, 4, 5, 6, 7
        on conflict on constraint evaluation_rollups_pk do update set
          evaluation_count = evaluation_rollups.evaluation_count + excluded.evaluation_count,
          cached_count = evaluation_rollups.cached_count + excluded.cached_count
      )${analyticsDeltasOfBatches(batches)}
      select batch_id::text as id from claim`,
  );
  return new Set(rows.map((r) => r.id));
}

/** The batches' columns end to end, plus `g`: each row's batch ordinal (1-based). */
function concatColumns<C extends { [K in keyof C]: readonly unknown[] }>(
  parts: readonly C[],
): { [K in keyof C]: C[K][number][] } & { g: number[] } {
  const out: Record<string, unknown[]> = { g: [] };
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    let rows = 0;
    for (const name in part) {
      const from: readonly unknown[] = part[name];
      out[name] ??= [];
      const to = out[name];
      for (let j = 0; j < from.length; j++) to.push(from[j]);
      rows = from.length;
    }
    for (let j = 0; j < rows; j++) out.g.push(i + 1);
  }
  return out as { [K in keyof C]: C[K][number][] } & { g: number[] };
}

export async function findBatch(
  executor: Executor,
  batchId: string,
): Promise<{ clientId: string; count: number } | undefined> {
  const [row] = await executeRows<{ client_id: string; event_count: number }>(
    executor,
    sql`select client_id, event_count from evaluation_batches where batch_id = ${batchId}`,
  );
  return row ? { clientId: row.client_id, count: Number(row.event_count) } : undefined;
}
