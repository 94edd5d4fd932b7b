/**
 * Bulk storage of evaluation events and their per-minute rollups. Rows travel as one JSON parameter
 * expanded by `json_to_recordset` (no per-row statements, no parameter-count limit), in chunks.
 */
import { type Executor, executeRows, type Tx } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";

/** One event as stored (`t` epoch ms, `c` the context object). */
export interface EventRow {
  k: string;
  e: string;
  t: number;
  r: boolean;
  v: string | null;
  c: Record<string, string> | null;
  u: string | null;
  p: boolean;
}

/** One rollup increment (`b` minute start, epoch ms). */
export interface RollupRow {
  b: number;
  k: string;
  e: string;
  v: string;
  r: boolean;
  n: number;
  c: number;
}

const CHUNK = 5_000;

/** Claims a batch id; false when it was stored before (then nothing else may be written). */
export async function claimBatch(
  tx: Tx,
  batch: { batchId: string; clientId: string; teamId: string; count: number },
): Promise<boolean> {
  const rows = await executeRows(
    tx,
    sql`insert into evaluation_batches (batch_id, client_id, team_id, event_count)
        values (${batch.batchId}, ${batch.clientId}, ${batch.teamId}, ${batch.count})
        on conflict (batch_id) do nothing returning batch_id`,
  );
  return rows.length === 1;
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

export async function insertEvents(
  tx: Tx,
  scope: { teamId: string; clientId: string; batchId: string },
  events: EventRow[],
): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const json = JSON.stringify(events.slice(i, i + CHUNK));
    await tx.execute(sql`
      insert into evaluation_events
        (team_id, batch_id, client_id, feature_key, environment_id, evaluated_at, result, variant,
         evaluation_context, user_context, prior_assignment)
      select ${scope.teamId}::uuid, ${scope.batchId}::uuid, ${scope.clientId}::uuid, x.k, x.e,
             to_timestamp(x.t / 1000.0), x.r, x.v, x.c, x.u, x.p
      from json_to_recordset((${json}::text)::json)
        as x(k text, e text, t double precision, r boolean, v text, c jsonb, u text, p boolean)`);
  }
}

/** Adds counts to the rollups; rows must be unique per key (callers aggregate) and sorted (lock order). */
export async function addRollups(
  tx: Tx,
  scope: { teamId: string; clientId: string },
  rows: RollupRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    await tx.execute(sql`
      insert into evaluation_rollups
        (team_id, bucket, feature_key, environment_id, client_id, variant, result, evaluation_count, cached_count)
      select ${scope.teamId}::uuid, to_timestamp(x.b / 1000.0), x.k, x.e, ${scope.clientId}::uuid, x.v, x.r, x.n, x.c
      from json_to_recordset((${json}::text)::json)
        as x(b double precision, k text, e text, v text, r boolean, n bigint, c bigint)
      on conflict on constraint evaluation_rollups_pk do update set
        evaluation_count = evaluation_rollups.evaluation_count + excluded.evaluation_count,
        cached_count = evaluation_rollups.cached_count + excluded.cached_count`);
  }
}
