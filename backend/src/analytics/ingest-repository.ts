/**
 * The analytics part of storing a batch: delivery's batch statement includes one of these CTEs after its claim, so
 * the deltas are written exactly when the batch is (atomically, once per batch id). Inserting them notifies
 * `fluxgate_evaluations` (trigger in migration 0004).
 */
import { type SQL, sql } from "drizzle-orm";
import { hexArray, numberArray, textArray } from "../sql-arrays.ts";
import { type BatchEvents, type BatchRollups, batchDeltas } from "./deltas";

/** `, analytics_deltas as (insert …)`: to follow the CTE named `claim` in a `with` list. Empty for an empty batch. */
export function analyticsDeltasCte(
  batch: { teamId: string; clientId: string },
  events: BatchEvents,
  rollups: BatchRollups,
): SQL {
  const deltas = batchDeltas(events, rollups);
  if (deltas.length === 0) return sql``;
  return sql`, analytics_deltas as (
      insert into evaluation_deltas
        (team_id, bucket, feature_key, environment_id, client_id, evaluation_count, success_count, cached_count,
         last_evaluated_at, users)
      select ${batch.teamId}::uuid, to_timestamp(x.b / 1000.0), x.k, x.e, ${batch.clientId}::uuid, x.n, x.s, x.c,
             to_timestamp(x.l / 1000.0), decode(x.u, 'hex')
      from unnest(${numberArray(deltas.map((d) => d.bucket))}::float8[],
                  ${textArray(deltas.map((d) => d.featureKey))}::text[],
                  ${textArray(deltas.map((d) => d.environmentId))}::text[],
                  ${numberArray(deltas.map((d) => d.evaluations))}::int8[],
                  ${numberArray(deltas.map((d) => d.successes))}::int8[],
                  ${numberArray(deltas.map((d) => d.cached))}::int8[],
                  ${numberArray(deltas.map((d) => d.lastAt))}::float8[],
                  ${hexArray(deltas.map((d) => d.users?.encode() ?? null))}::text[])
        as x(b, k, e, n, s, c, l, u)
      where exists (select 1 from claim)
    )`;
}

/**
 * `, analytics_deltas as (insert …)` for several batches stored by one statement: to follow a CTE named `claimed`
 * (the batches whose claim is new: `g`, their 1-based position in `batches`, `team_id`, `client_id`). Only claimed
 * batches' deltas are written. Empty when no batch has any.
 */
export function analyticsDeltasOfBatches(batches: readonly { events: BatchEvents; rollups: BatchRollups }[]): SQL {
  const d = { b: [] as number[], k: [] as string[], e: [] as string[], n: [] as number[], s: [] as number[] };
  const more = { c: [] as number[], l: [] as number[], u: [] as (Uint8Array | null)[], g: [] as number[] };
  for (let i = 0; i < batches.length; i++) {
    for (const delta of batchDeltas(batches[i].events, batches[i].rollups)) {
      d.b.push(delta.bucket);
      d.k.push(delta.featureKey);
      d.e.push(delta.environmentId);
      d.n.push(delta.evaluations);
      d.s.push(delta.successes);
      more.c.push(delta.cached);
      more.l.push(delta.lastAt);
      more.u.push(delta.users?.encode() ?? null);
      more.g.push(i + 1);
    }
  }
  if (d.b.length === 0) return sql``;
  return sql`, analytics_deltas as (
      insert into evaluation_deltas
        (team_id, bucket, feature_key, environment_id, client_id, evaluation_count, success_count, cached_count,
         last_evaluated_at, users)
      select c.team_id, to_timestamp(x.b / 1000.0), x.k, x.e, c.client_id, x.n, x.s, x.c, to_timestamp(x.l / 1000.0),
             decode(x.u, 'hex')
      from unnest(${numberArray(d.b)}::float8[], ${textArray(d.k)}::text[], ${textArray(d.e)}::text[],
                  ${numberArray(d.n)}::int8[], ${numberArray(d.s)}::int8[], ${numberArray(more.c)}::int8[],
                  ${numberArray(more.l)}::float8[], ${hexArray(more.u)}::text[], ${numberArray(more.g)}::int8[])
        as x(b, k, e, n, s, c, l, u, g)
        join claimed c on c.g = x.g
    )`;
}
