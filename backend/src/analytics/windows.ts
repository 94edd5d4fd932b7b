/**
 * Time windows over the cube: periods, minute ranges, and the split of a range into whole days, hours and minutes
 * so a month reads ~30 day rows instead of 43,200 minute rows. Pure.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Cube grains, in minutes, coarsest first. */
export const GRAINS = [1440, 60, 1] as const;
export type Grain = (typeof GRAINS)[number];

export type Period = "PERIOD_24H" | "PERIOD_7D" | "PERIOD_30D";

export const PERIOD_MS: Record<Period, number> = {
  PERIOD_24H: DAY_MS,
  PERIOD_7D: 7 * DAY_MS,
  PERIOD_30D: 30 * DAY_MS,
};

/** Half-open `[from, to)` in epoch ms, both on minute boundaries. */
export interface MinuteRange {
  from: number;
  to: number;
}

/** Rows of one grain whose bucket starts in `[from, to)`; `minus`: rows to subtract (see `countSegments`). */
export interface Segment extends MinuteRange {
  grain: Grain;
  minus?: boolean;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * The minutes an inclusive window `[from, to]` touches: the cube counts per minute, so a window is resolved to
 * whole minutes (the minute holding `from` up to and including the minute holding `to`).
 */
export function minuteRange(from: number, to: number): MinuteRange {
  return { from: floorTo(from, MINUTE_MS), to: floorTo(to, MINUTE_MS) + MINUTE_MS };
}

/** The last `period` up to `now`. */
export function periodRange(period: Period, now: number): MinuteRange {
  return minuteRange(now - PERIOD_MS[period], now);
}

/**
 * Covers `range` exactly with as few rows as possible: the coarsest allowed grain in the middle, finer ones at
 * the ragged ends. `grains` must include 1 (every range is whole minutes).
 */
export function segments(range: MinuteRange, grains: readonly Grain[] = GRAINS): Segment[] {
  if (range.from >= range.to) return [];
  const [grain, ...finer] = grains;
  if (finer.length === 0) return [{ grain, ...range }];
  const unit = grain * MINUTE_MS;
  const start = ceilTo(range.from, unit);
  const end = floorTo(range.to, unit);
  if (start >= end) return segments(range, finer);
  return [
    ...segments({ from: range.from, to: start }, finer),
    { grain, from: start, to: end },
    ...segments({ from: end, to: range.to }, finer),
  ];
}

/**
 * Segments for counts (not sketches: those cannot be subtracted) of a window ending at `now`: the day holding the
 * window's last minute is read whole and what lies after the window subtracted — the future, normally no rows —
 * instead of summing that day's hours and minutes (likewise an hour holding the end, when the day is not wholly past
 * the window's start). Exact either way; rows after the window only cost a little more and make `lastAt` unknown
 * (`countsByFeature` then reads plain segments). Other windows: `segments`.
 */
export function countSegments(range: MinuteRange, now: number): Segment[] {
  if (range.to <= now || range.from >= range.to) return segments(range);
  for (const grain of [1440, 60] as const) {
    const unit = grain * MINUTE_MS;
    const start = floorTo(range.to - MINUTE_MS, unit);
    if (start < range.from) continue;
    if (start + unit === range.to) return segments(range);
    return [
      ...segments({ from: range.from, to: start }),
      { grain, from: start, to: start + unit },
      ...segments(
        { from: range.to, to: start + unit },
        GRAINS.filter((g) => g < grain),
      ).map((seg) => ({
        ...seg,
        minus: true,
      })),
    ];
  }
  return segments(range);
}

/** Grains usable for `intervalMinutes`-long buckets: a row must not straddle two buckets. */
export const grainsForInterval = (intervalMinutes: number): Grain[] => GRAINS.filter((g) => intervalMinutes % g === 0);

/** Start of the UTC day holding `ms`. */
export const utcDay = (ms: number): number => floorTo(ms, DAY_MS);

/** How far hour and day user sketches exist (epoch ms; 0 = none yet). */
export interface Sealed {
  hour: number;
  day: number;
}

/**
 * Segments for user sketches: days only before `sealed.day`, hours only before `sealed.hour` (the day and hour
 * sketches after those do not exist yet), minutes elsewhere.
 */
export function sketchSegments(range: MinuteRange, sealed: Sealed): Segment[] {
  const day = Math.min(sealed.day, sealed.hour);
  const parts: [MinuteRange, Grain[]][] = [
    [{ from: range.from, to: Math.min(range.to, day) }, [1440, 60, 1]],
    [{ from: Math.max(range.from, day), to: Math.min(range.to, sealed.hour) }, [60, 1]],
    [{ from: Math.max(range.from, sealed.hour), to: range.to }, [1]],
  ];
  return parts.flatMap(([part, grains]) => segments(part, grains));
}
