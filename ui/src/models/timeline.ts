/** Evaluation rate points (only buckets with evaluations) laid out as a gap-free timeline for the chart. */

/** One bucket as the API returns it; rates are percentages with 2 decimals. */
export interface RatePoint {
  timeBucket: string;
  evaluationCount: number;
  successCount: number;
  priorAssignmentCount: number;
  successRate: number;
  cacheHitRate: number;
}

/** Parallel columns, one entry per bucket (uPlot's data layout); rates are null where nothing was evaluated. */
export interface Timeline {
  /** Bucket starts, epoch seconds. */
  x: number[];
  evaluations: number[];
  successRate: (number | null)[];
  cacheHitRate: (number | null)[];
}

/** Bucket start of `ms`: floored to a multiple of the interval since 1970-01-01T00:00Z, as the backend does. */
export function bucketStart(ms: number, intervalMinutes: number): number {
  const width = intervalMinutes * 60_000;
  return Math.floor(ms / width) * width;
}

/**
 * Every bucket from the one holding `from` to the one holding `to` (widened to any point outside, e.g. when the
 * browser's clock is behind the server's), with the points in their buckets and zeros elsewhere.
 */
export function buildTimeline(
  points: readonly RatePoint[],
  window: { from: number; to: number; intervalMinutes: number },
): Timeline {
  const width = window.intervalMinutes * 60_000;
  const byStart = new Map<number, RatePoint>();
  let first = bucketStart(window.from, window.intervalMinutes);
  let last = Math.max(first, bucketStart(window.to, window.intervalMinutes));
  for (const point of points) {
    const start = bucketStart(Date.parse(point.timeBucket), window.intervalMinutes);
    if (Number.isNaN(start)) continue;
    byStart.set(start, point);
    first = Math.min(first, start);
    last = Math.max(last, start);
  }
  const timeline: Timeline = { x: [], evaluations: [], successRate: [], cacheHitRate: [] };
  for (let start = first; start <= last; start += width) {
    const point = byStart.get(start);
    timeline.x.push(start / 1000);
    timeline.evaluations.push(point?.evaluationCount ?? 0);
    timeline.successRate.push(point?.evaluationCount ? point.successRate : null);
    timeline.cacheHitRate.push(point?.evaluationCount ? point.cacheHitRate : null);
  }
  return timeline;
}

/** Sum of the evaluations on a timeline. */
export function timelineTotal(timeline: Timeline): number {
  return timeline.evaluations.reduce((sum, n) => sum + n, 0);
}
