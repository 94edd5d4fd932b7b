/**
 * The dashboard numbers (reference §8.2) computed from the cube for an already authorised scope and window, each
 * on one snapshot (`readSnapshot`).
 */
import type { Db, Executor } from "@fluxgate/drizzle";
import { UserSketch } from "./hll";
import * as cube from "./repository";
import { countSegments, grainsForInterval, type MinuteRange, segments, sketchSegments } from "./windows";

export interface EvaluationSummary {
  totalEvaluations: number;
  successfulEvaluations: number;
  cachedEvaluations: number;
  /** Distinct user identities (HyperLogLog: exact up to ~1,000 users, ±1.6% beyond). */
  uniqueUsers: number;
  successRate: number;
  cacheHitRate: number;
  /** Most evaluated flag in the window (ties: first key), null when nothing was evaluated. */
  topFeatureKey: string | null;
}

export interface RatePoint {
  timeBucket: Date;
  evaluationCount: number;
  successCount: number;
  priorAssignmentCount: number;
  successRate: number;
  cacheHitRate: number;
}

export interface FeatureEvaluations {
  featureKey: string;
  totalEvaluations: number;
  successfulEvaluations: number;
  cachedEvaluations: number;
  uniqueUsers: number;
  lastEvaluatedAt: Date;
}

/** `round(part / whole × 100, 2)`, 0 when `whole` is 0. */
export const percent = (part: number, whole: number): number =>
  // part × 10⁴ / whole in one division: an exact .5 stays exact, so ties round up as Postgres' round() does
  whole > 0 ? Math.round((part * 10_000) / whole) / 100 : 0;

export function summary(db: Db, scope: cube.CubeScope, range: MinuteRange): Promise<EvaluationSummary> {
  return cube.readSnapshot(db, (tx) => summaryIn(tx, scope, range));
}

async function summaryIn(tx: Executor, scope: cube.CubeScope, range: MinuteRange): Promise<EvaluationSummary> {
  const [perFeature, sketches] = await Promise.all([
    cube.countsByFeature(tx, scope, countSegments(range, Date.now()), range),
    cube.sealedUntil(tx).then((sealed) => cube.userSketches(tx, scope, sketchSegments(range, sealed), range)),
  ]);
  let total = 0;
  let successes = 0;
  let cached = 0;
  for (const row of perFeature) {
    total += row.evaluations;
    successes += row.successes;
    cached += row.cached;
  }
  return {
    totalEvaluations: total,
    successfulEvaluations: successes,
    cachedEvaluations: cached,
    uniqueUsers: UserSketch.union(sketches.map((s) => UserSketch.decode(s.users))).estimate(),
    successRate: percent(successes, total),
    cacheHitRate: percent(cached, total),
    topFeatureKey: perFeature[0]?.featureKey ?? null,
  };
}

export async function rates(
  db: Db,
  scope: cube.CubeScope,
  range: MinuteRange,
  intervalMinutes: number,
): Promise<RatePoint[]> {
  const segs = segments(range, grainsForInterval(intervalMinutes));
  const buckets = await cube.readSnapshot(db, (tx) => cube.rateBuckets(tx, scope, segs, range, intervalMinutes));
  return buckets.map((b) => ({
    timeBucket: b.bucket,
    evaluationCount: b.evaluations,
    successCount: b.successes,
    priorAssignmentCount: b.cached,
    successRate: percent(b.successes, b.evaluations),
    cacheHitRate: percent(b.cached, b.evaluations),
  }));
}

/** Flags by evaluations (most first), one page; unique users are counted for that page only. */
export function byFeature(
  db: Db,
  scope: cube.CubeScope,
  range: MinuteRange,
  page: { limit: number; offset: number },
): Promise<FeatureEvaluations[]> {
  return cube.readSnapshot(db, (tx) => byFeatureIn(tx, scope, range, page));
}

async function byFeatureIn(
  tx: Executor,
  scope: cube.CubeScope,
  range: MinuteRange,
  page: { limit: number; offset: number },
): Promise<FeatureEvaluations[]> {
  const [rows, sealed] = await Promise.all([
    cube.countsByFeature(tx, scope, countSegments(range, Date.now()), range, page),
    cube.sealedUntil(tx),
  ]);
  if (rows.length === 0) return [];
  const keys = rows.map((r) => r.featureKey);
  const users = new Map<string, UserSketch[]>(keys.map((k) => [k, []]));
  for (const s of await cube.userSketches(tx, scope, sketchSegments(range, sealed), range, keys)) {
    users.get(s.featureKey)?.push(UserSketch.decode(s.users));
  }
  return rows.map((r) => ({
    featureKey: r.featureKey,
    totalEvaluations: r.evaluations,
    successfulEvaluations: r.successes,
    cachedEvaluations: r.cached,
    uniqueUsers: UserSketch.union(users.get(r.featureKey) ?? []).estimate(),
    lastEvaluatedAt: new Date(r.lastAt),
  }));
}

/** Totals of each window, in one statement; `ex` may be a snapshot shared with other reads. */
export function counts(ex: Executor, scope: cube.CubeScope, ranges: readonly MinuteRange[]): Promise<cube.Counts[]> {
  return cube.totalsOf(
    ex,
    scope,
    ranges.map((range) => ({ segs: countSegments(range, Date.now()), range })),
  );
}

/** Totals of the window; `ex` may be a snapshot shared with other reads. */
export function count(ex: Executor, scope: cube.CubeScope, range: MinuteRange): Promise<cube.Counts> {
  return cube.totals(ex, scope, countSegments(range, Date.now()), range);
}
