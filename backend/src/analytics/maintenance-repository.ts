/** SQL of the analytics jobs: folding deltas into the cube, sealing hours and days, and retention. */
import { type Executor, executeRows, type Tx } from "@fluxgate/drizzle";
import { type SQL, sql } from "drizzle-orm";
import { hexArray, numberArray, textArray } from "../sql-arrays.ts";

/** True when this transaction got the job's lock (held until commit); another replica holds it otherwise. */
export async function tryJobLock(tx: Tx, job: "compaction" | "retention"): Promise<boolean> {
  const [row] = await executeRows<{ locked: boolean }>(
    tx,
    sql`select pg_try_advisory_xact_lock(hashtext(${`fluxgate:analytics-${job}`})) as locked`,
  );
  return row.locked === true;
}

export interface DeltaRow {
  teamId: string;
  /** Epoch ms. */
  bucket: number;
  featureKey: string;
  environmentId: string;
  clientId: string;
  evaluations: number;
  successes: number;
  cached: number;
  lastAt: number;
  users: Uint8Array | null;
}

/** Removes and returns up to `limit` of the oldest deltas. */
export async function takeDeltas(tx: Tx, limit: number): Promise<DeltaRow[]> {
  const rows = await executeRows<Record<string, unknown>>(
    tx,
    sql`delete from evaluation_deltas
        where id in (select id from evaluation_deltas order by id limit ${limit})
        returning team_id::text as t, (extract(epoch from bucket) * 1000)::float8 as b, feature_key as k,
          environment_id as e, client_id::text as c, evaluation_count::float8 as n, success_count::float8 as s,
          cached_count::float8 as cc, (extract(epoch from last_evaluated_at) * 1000)::float8 as l, users as u`,
  );
  return rows.map((r) => ({
    teamId: r.t as string,
    bucket: Number(r.b),
    featureKey: r.k as string,
    environmentId: r.e as string,
    clientId: r.c as string,
    evaluations: Number(r.n),
    successes: Number(r.s),
    cached: Number(r.cc),
    lastAt: Number(r.l),
    users: (r.u as Uint8Array | null) ?? null,
  }));
}

/** The oldest minute with data not yet in hour sketches (pending deltas or minute sketches), epoch ms. */
export async function oldestUnsealedMinute(tx: Tx): Promise<number | null> {
  const [row] = await executeRows<{ b: number | null }>(
    tx,
    sql`select (extract(epoch from least(
          (select min(bucket) from evaluation_deltas),
          (select min(bucket) from evaluation_user_sketches where grain = 1))) * 1000)::float8 as b`,
  );
  return row.b === null ? null : Number(row.b);
}

/** A cube row's key. */
export interface CellKey {
  teamId: string;
  grain: number;
  bucket: number;
  featureKey: string;
  environmentId: string;
  clientId: string;
}

export interface CountCell extends CellKey {
  evaluations: number;
  successes: number;
  cached: number;
  lastAt: number;
}

export interface SketchCell extends CellKey {
  users: Uint8Array;
}

const keyColumns = (keys: readonly CellKey[]) => sql`${textArray(keys.map((k) => k.teamId))}::uuid[],
  ${numberArray(keys.map((k) => k.grain))}::int2[], ${numberArray(keys.map((k) => k.bucket))}::float8[],
  ${textArray(keys.map((k) => k.featureKey))}::text[], ${textArray(keys.map((k) => k.environmentId))}::text[],
  ${textArray(keys.map((k) => k.clientId))}::text[]`;

/** Adds the counts to the cube rows (creating them) and keeps the latest evaluation time. */
export async function addCounts(tx: Tx, cells: readonly CountCell[]): Promise<void> {
  if (cells.length === 0) return;
  await tx.execute(sql`
    insert into evaluation_cube (team_id, grain, bucket, feature_key, environment_id, client_id, evaluation_count,
      success_count, cached_count, last_evaluated_at)
    select q.t, q.g, to_timestamp(q.b / 1000.0), q.k, q.e, q.c, q.n, q.s, q.cc, to_timestamp(q.l / 1000.0)
    from unnest(${keyColumns(cells)}, ${numberArray(cells.map((c) => c.evaluations))}::int8[],
      ${numberArray(cells.map((c) => c.successes))}::int8[], ${numberArray(cells.map((c) => c.cached))}::int8[],
      ${numberArray(cells.map((c) => c.lastAt))}::float8[])
      as q(t, g, b, k, e, c, n, s, cc, l)
    on conflict on constraint evaluation_cube_pk do update set
      evaluation_count = evaluation_cube.evaluation_count + excluded.evaluation_count,
      success_count = evaluation_cube.success_count + excluded.success_count,
      cached_count = evaluation_cube.cached_count + excluded.cached_count,
      last_evaluated_at = greatest(evaluation_cube.last_evaluated_at, excluded.last_evaluated_at)`);
}

const toSketchCell = (r: Record<string, unknown>): SketchCell => ({
  teamId: r.t as string,
  grain: Number(r.g),
  bucket: Number(r.b),
  featureKey: r.k as string,
  environmentId: r.e as string,
  clientId: r.c as string,
  users: r.u as Uint8Array,
});

/** The stored sketches of these keys (keys without one are absent). */
export async function sketchesAt(tx: Tx, keys: readonly CellKey[]): Promise<SketchCell[]> {
  if (keys.length === 0) return [];
  const rows = await executeRows<Record<string, unknown>>(
    tx,
    sql`select q.t::text as t, q.g as g, q.b as b, q.k as k, q.e as e, q.c as c, x.users as u
        from unnest(${keyColumns(keys)}) as q(t, g, b, k, e, c)
        join evaluation_user_sketches x on x.team_id = q.t and x.feature_key = q.k and x.environment_id = q.e
          and x.client_id = q.c and x.grain = q.g and x.bucket = to_timestamp(q.b / 1000.0)`,
  );
  return rows.map(toSketchCell);
}

/** Writes sketches (callers merged them with the stored ones). */
export async function putSketches(tx: Tx, cells: readonly SketchCell[]): Promise<void> {
  if (cells.length === 0) return;
  await tx.execute(sql`
    insert into evaluation_user_sketches (team_id, grain, bucket, feature_key, environment_id, client_id, users)
    select q.t, q.g, to_timestamp(q.b / 1000.0), q.k, q.e, q.c, decode(q.u, 'hex')
    from unnest(${keyColumns(cells)}, ${hexArray(cells.map((c) => c.users))}::text[]) as q(t, g, b, k, e, c, u)
    on conflict on constraint evaluation_user_sketches_pk do update set users = excluded.users`);
}

/** Teams with sketches of `grain` in `[from, to)`. */
export async function teamsWithSketches(tx: Tx, grain: number, from: number, to: number): Promise<string[]> {
  const rows = await executeRows<{ t: string }>(
    tx,
    sql`select distinct team_id::text as t from evaluation_user_sketches
        where grain = ${grain} and bucket >= to_timestamp(${from / 1000}) and bucket < to_timestamp(${to / 1000})`,
  );
  return rows.map((r) => r.t);
}

/** A team's sketches of `grain` in `[from, to)`. */
export async function sketchesIn(
  tx: Tx,
  teamId: string,
  grain: number,
  from: number,
  to: number,
): Promise<SketchCell[]> {
  const rows = await executeRows<Record<string, unknown>>(
    tx,
    sql`select team_id::text as t, grain as g, (extract(epoch from bucket) * 1000)::float8 as b, feature_key as k,
          environment_id as e, client_id as c, users as u
        from evaluation_user_sketches
        where grain = ${grain} and bucket >= to_timestamp(${from / 1000}) and bucket < to_timestamp(${to / 1000})
          and team_id = ${teamId}`,
  );
  return rows.map(toSketchCell);
}

export async function setSealed(tx: Tx, grain: 60 | 1440, until: number): Promise<void> {
  await tx.execute(sql`
    insert into analytics_watermarks (grain, sealed_until) values (${grain}, to_timestamp(${until / 1000}))
    on conflict (grain) do update set sealed_until = excluded.sealed_until`);
}

export async function teamIds(ex: Executor): Promise<string[]> {
  const rows = await executeRows<{ id: string }>(ex, sql`select id::text as id from teams order by id`);
  return rows.map((r) => r.id);
}

const deleted = (result: unknown): number => {
  const r = result as { count?: number; affectedRows?: number };
  return Number(r.count ?? r.affectedRows ?? 0);
};

const deleteChunk = async (tx: Tx, table: SQL, where: SQL, limit: number): Promise<number> =>
  deleted(
    await tx.execute(
      sql`delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ${limit}))`,
    ),
  );

/** Deletes up to `limit` raw events of a team evaluated before `cutoff`; returns how many. */
export const deleteOldEvents = (tx: Tx, teamId: string, cutoff: Date, limit: number): Promise<number> =>
  deleteChunk(tx, sql`evaluation_events`, sql`team_id = ${teamId} and evaluated_at < ${cutoff}`, limit);

/** Deletes up to `limit` per-minute rollups of a team before `cutoff`. */
export const deleteOldRollups = (tx: Tx, teamId: string, cutoff: Date, limit: number): Promise<number> =>
  deleteChunk(tx, sql`evaluation_rollups`, sql`team_id = ${teamId} and bucket < ${cutoff}`, limit);

/** Deletes up to `limit` cube rows (or user sketches) whose whole minute / hour / day ended by `cutoff`. */
export const deleteOldCells = (tx: Tx, table: "cube" | "sketches", cutoff: Date, limit: number): Promise<number> =>
  deleteChunk(
    tx,
    table === "cube" ? sql`evaluation_cube` : sql`evaluation_user_sketches`,
    sql`bucket < ${cutoff} and bucket + make_interval(mins => grain) <= ${cutoff}`,
    limit,
  );
