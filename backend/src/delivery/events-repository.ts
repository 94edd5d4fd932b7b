/**
 * Bulk storage of evaluation events and their per-minute rollups.
 *
 * A batch is ONE statement: the batch claim, the events and the rollup upsert as data-modifying CTEs,
 * atomic like a transaction and one round trip. Rows travel as column arrays (Postgres array literals
 * built here, one text parameter per column) expanded by `unnest`, so the parameter count is fixed
 * and there is no per-row JSON on either side except the context object itself.
 */
import { type Executor, executeRows } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";
import { analyticsDeltasCte } from "../analytics/ingest-repository.ts";
import { boolArray, numberArray, textArray } from "./sql-arrays.ts";

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

/**
 * Claims the batch id and, only when the claim is new, stores the events and adds to the rollups — all
 * or nothing. False when the id was stored before (then nothing is written).
 */
export async function storeBatch(
  executor: Executor,
  batch: { batchId: string; clientId: string; teamId: string; count: number },
  events: EventColumns,
  rollups: RollupColumns,
): Promise<boolean> {
  const rows = await executeRows<{ claimed: number }>(
    executor,
    sql`with claim as (
        insert into evaluation_batches (batch_id, client_id, team_id, event_count)
        values (${batch.batchId}, ${batch.clientId}, ${batch.teamId}, ${batch.count})
        on conflict (batch_id) do nothing
        returning batch_id
      ), stored_events as (
        insert into evaluation_events
          (team_id, batch_id, client_id, feature_key, environment_id, evaluated_at, result, variant,
           evaluation_context, user_context, prior_assignment)
        select ${batch.teamId}::uuid, ${batch.batchId}::uuid, ${batch.clientId}::uuid, x.k, x.e,
               to_timestamp(x.t / 1000.0), x.r, x.v, x.c::jsonb, x.u, x.p
        from unnest(${textArray(events.k)}::text[], ${textArray(events.e)}::text[], ${numberArray(events.t)}::float8[],
                    ${boolArray(events.r)}::bool[], ${textArray(events.v)}::text[], ${textArray(events.c)}::text[],
                    ${textArray(events.u)}::text[], ${boolArray(events.p)}::bool[])
          as x(k, e, t, r, v, c, u, p)
        where exists (select 1 from claim)
      ), added_rollups as (
        insert into evaluation_rollups
          (team_id, bucket, feature_key, environment_id, client_id, variant, result, evaluation_count, cached_count)
        select ${batch.teamId}::uuid, to_timestamp(x.b / 1000.0), x.k, x.e, ${batch.clientId}::uuid, x.v, x.r, x.n, x.c
        from unnest(${numberArray(rollups.b)}::float8[], ${textArray(rollups.k)}::text[], ${textArray(rollups.e)}::text[],
                    ${textArray(rollups.v)}::text[], ${boolArray(rollups.r)}::bool[], ${numberArray(rollups.n)}::int8[],
                    ${numberArray(rollups.c)}::int8[])
          as x(b, k, e, v, r, n, c)
        where exists (select 1 from claim)
        on conflict on constraint evaluation_rollups_pk do update set
          evaluation_count = evaluation_rollups.evaluation_count + excluded.evaluation_count,
          cached_count = evaluation_rollups.cached_count + excluded.cached_count
      )${analyticsDeltasCte(batch, events, rollups)}
      select count(*)::int as claimed from claim`,
  );
  return Number(rows[0]?.claimed ?? 0) === 1;
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
