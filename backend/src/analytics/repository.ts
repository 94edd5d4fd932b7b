/**
 * Dashboard reads: the evaluation cube's rows for a window (whole days, hours and minutes, see `windows.ts`) plus
 * the deltas not folded in yet, in ONE statement, so a compaction committing meanwhile is seen entirely or not at
 * all. Never raw events.
 */
import { type Db, type Executor, executeRows } from "@fluxgate/drizzle";
import { type SQL, sql } from "drizzle-orm";
import { textArray } from "../sql-arrays.ts";
import { type MinuteRange, type Sealed, type Segment, segments } from "./windows";

/** Teams plus optional filters; a filter absent means all flags / environments / clients. */
export interface CubeScope {
  teamIds: string[];
  featureKey?: string;
  environmentId?: string;
  clientId?: string;
}

interface SourceOptions {
  /** Rows keep their flag (`k`); otherwise `k` is ''. */
  perFeature?: boolean;
  /** With `perFeature`: only these flags. */
  featureKeys?: string[];
  /** Read the user sketches (`k, u`) instead of the counts (`k, b, n, s, c, l`). */
  users?: boolean;
}

const seconds = (ms: number) => ms / 1000;

/**
 * Rows covering `range` exactly: from the cube (or the sketch table), one range scan per segment, plus the pending
 * deltas. The row for a scope has '' in every dimension neither filtered nor grouped.
 */
function source(scope: CubeScope, segs: Segment[], range: MinuteRange, options: SourceOptions = {}): SQL {
  // one team (the usual case) as a plain equality: the planner estimates it far better than = any(array)
  const team = (column: SQL) =>
    scope.teamIds.length === 1
      ? sql`${column} = ${scope.teamIds[0]}::uuid`
      : sql`${column} = any(${textArray(scope.teamIds)}::uuid[])`;
  const keys = options.featureKeys && !scope.featureKey ? sql`${textArray(options.featureKeys)}::text[]` : null;
  const perFeature = options.perFeature || keys !== null;
  const feature = scope.featureKey
    ? sql`x.feature_key = ${scope.featureKey}`
    : keys
      ? sql`x.feature_key = any(${keys})`
      : perFeature
        ? sql`x.feature_key <> ''`
        : sql`x.feature_key = ''`;
  const table = options.users ? sql`evaluation_user_sketches` : sql`evaluation_cube`;
  // subtracted rows (`m`): negated counts, no last evaluation
  const columns = (seg: Segment) =>
    options.users
      ? sql`x.feature_key as k, x.users as u`
      : seg.minus
        ? sql`x.feature_key as k, x.bucket as b, -x.evaluation_count as n, -x.success_count as s,
            -x.cached_count as c, null::timestamptz as l, true as m`
        : sql`x.feature_key as k, x.bucket as b, x.evaluation_count as n, x.success_count as s, x.cached_count as c,
            x.last_evaluated_at as l, false as m`;
  const parts = segs.map(
    (seg) => sql`select ${columns(seg)} from ${table} x
      where ${team(sql`x.team_id`)} and ${feature} and x.environment_id = ${scope.environmentId ?? ""}
        and x.client_id = ${scope.clientId ?? ""} and x.grain = ${seg.grain}
        and x.bucket >= to_timestamp(${seconds(seg.from)}) and x.bucket < to_timestamp(${seconds(seg.to)})`,
  );
  const deltaFilters = [
    scope.featureKey ? sql` and d.feature_key = ${scope.featureKey}` : sql``,
    keys ? sql` and d.feature_key = any(${keys})` : sql``,
    scope.environmentId ? sql` and d.environment_id = ${scope.environmentId}` : sql``,
    scope.clientId ? sql` and d.client_id = ${scope.clientId}::uuid` : sql``,
    options.users ? sql` and d.users is not null` : sql``,
  ];
  const deltaKey = perFeature ? sql`d.feature_key` : sql`''`;
  const deltaCols = options.users
    ? sql`${deltaKey} as k, d.users as u`
    : sql`${deltaKey} as k, d.bucket as b, d.evaluation_count as n, d.success_count as s, d.cached_count as c,
        d.last_evaluated_at as l, false as m`;
  parts.push(sql`select ${deltaCols} from evaluation_deltas d
    where ${team(sql`d.team_id`)} and d.bucket >= to_timestamp(${seconds(range.from)})
      and d.bucket < to_timestamp(${seconds(range.to)})${sql.join(deltaFilters)}`);
  return sql.join(parts, sql` union all `);
}

/**
 * Runs `fn`'s reads on one snapshot (a repeatable-read, read-only transaction: counts, watermarks and sketches
 * agree) without parallel workers — the reads are a few small index scans, where workers only add start-up time.
 */
export function readSnapshot<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(
    async (tx) => {
      await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
      return fn(tx);
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** How far hour and day user sketches exist (0 = not yet). */
export async function sealedUntil(ex: Executor): Promise<Sealed> {
  const rows = await executeRows<{ g: number; u: number }>(
    ex,
    sql`select grain as g, (extract(epoch from sealed_until) * 1000)::float8 as u from analytics_watermarks`,
  );
  const at = (grain: number) => Number(rows.find((r) => Number(r.g) === grain)?.u ?? 0);
  return { hour: at(60), day: at(1440) };
}

export interface Counts {
  evaluations: number;
  successes: number;
  cached: number;
}

export interface FeatureCounts extends Counts {
  featureKey: string;
  /** Epoch ms. */
  lastAt: number;
}

interface CountRow {
  k: string;
  n: number;
  s: number;
  c: number;
  l: number;
}

const toCounts = (row: CountRow): FeatureCounts => ({
  featureKey: row.k,
  evaluations: Number(row.n),
  successes: Number(row.s),
  cached: Number(row.c),
  // epoch ms through float8: round, or a .9999 would truncate to the previous millisecond
  lastAt: Math.round(Number(row.l)),
});

/**
 * Per flag, most evaluated first (then by key); `page` limits the flags returned. With subtracted segments
 * (`countSegments`) a flag that has rows after the window gets no exact last evaluation from them: the read is then
 * repeated with plain segments.
 */
export async function countsByFeature(
  ex: Executor,
  scope: CubeScope,
  segs: Segment[],
  range: MinuteRange,
  page?: { limit: number; offset: number },
): Promise<FeatureCounts[]> {
  const rows = await executeRows<CountRow & { after: boolean }>(
    ex,
    sql`select k, sum(n)::float8 as n, sum(s)::float8 as s, sum(c)::float8 as c,
          (extract(epoch from max(l)) * 1000)::float8 as l, coalesce(bool_or(m and n <> 0), false) as after
        from (${source(scope, segs, range, { perFeature: true })}) t
        group by k having sum(n) > 0
        order by sum(n) desc, k
        ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``}`,
  );
  if (rows.some((r) => r.after)) return countsByFeature(ex, scope, segments(range), range, page);
  return rows.map(toCounts);
}

/** Totals over the scope (every flag unless filtered). */
export async function totals(ex: Executor, scope: CubeScope, segs: Segment[], range: MinuteRange): Promise<Counts> {
  const [row] = await executeRows<CountRow>(
    ex,
    sql`select coalesce(sum(n), 0)::float8 as n, coalesce(sum(s), 0)::float8 as s, coalesce(sum(c), 0)::float8 as c
        from (${source(scope, segs, range)}) t`,
  );
  return { evaluations: Number(row.n), successes: Number(row.s), cached: Number(row.c) };
}

/** Totals over several windows in one statement (one round trip): `result[i]` is `windows[i]`'s. */
export async function totalsOf(
  ex: Executor,
  scope: CubeScope,
  windows: readonly { segs: Segment[]; range: MinuteRange }[],
): Promise<Counts[]> {
  const parts = windows.map(
    (
      { segs, range },
      i,
    ) => sql`select ${i}::int as w, coalesce(sum(n), 0)::float8 as n, coalesce(sum(s), 0)::float8 as s,
        coalesce(sum(c), 0)::float8 as c
      from (${source(scope, segs, range)}) t${sql.raw(String(i))}`,
  );
  const rows = await executeRows<CountRow & { w: number }>(ex, sql.join(parts, sql` union all `));
  const out: Counts[] = windows.map(() => ({ evaluations: 0, successes: 0, cached: 0 }));
  for (const row of rows) {
    out[Number(row.w)] = { evaluations: Number(row.n), successes: Number(row.s), cached: Number(row.c) };
  }
  return out;
}

export interface RateBucket extends Counts {
  bucket: Date;
}

/** Counts per `intervalMinutes` bucket (floored on the epoch, in UTC); only buckets with evaluations, in order. */
export async function rateBuckets(
  ex: Executor,
  scope: CubeScope,
  segs: Segment[],
  range: MinuteRange,
  intervalMinutes: number,
): Promise<RateBucket[]> {
  const width = intervalMinutes * 60;
  const rows = await executeRows<{ tb: Date | string; n: number; s: number; c: number }>(
    ex,
    sql`select to_timestamp(floor(extract(epoch from b) / ${width}) * ${width}) as tb,
          sum(n)::float8 as n, sum(s)::float8 as s, sum(c)::float8 as c
        from (${source(scope, segs, range)}) t
        group by tb having sum(n) > 0
        order by tb`,
  );
  return rows.map((r) => ({
    bucket: new Date(r.tb),
    evaluations: Number(r.n),
    successes: Number(r.s),
    cached: Number(r.c),
  }));
}

/**
 * The user sketches covering the window (`segs` from `sketchSegments`), per flag when `featureKeys` is given
 * (else `featureKey` is '' or the filtered flag).
 */
export async function userSketches(
  ex: Executor,
  scope: CubeScope,
  segs: Segment[],
  range: MinuteRange,
  featureKeys?: string[],
): Promise<{ featureKey: string; users: Uint8Array }[]> {
  const rows = await executeRows<{ k: string; u: Uint8Array }>(
    ex,
    source(scope, segs, range, { users: true, featureKeys }),
  );
  return rows.map((r) => ({ featureKey: r.k, users: r.u }));
}
