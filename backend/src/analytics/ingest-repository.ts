/**
 * The analytics part of storing a batch: delivery's batch statement includes this CTE after its `claim` CTE, so
 * the deltas are written exactly when the batch is (atomically, once per batch id). Inserting them notifies
 * `fluxgate_evaluations` (trigger in migration 0004).
 */
import { type SQL, sql } from "drizzle-orm";
import { type BatchEvents, type BatchRollups, batchDeltas } from "./deltas";
import { hexArray, numberArray, textArray } from "./pg-arrays";

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
