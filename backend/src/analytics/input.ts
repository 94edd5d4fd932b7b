/** Checks of analytics arguments; each throws BAD_USER_INPUT naming the field. */
import { badInput } from "../errors";
import * as v from "../validation";
import { DAY_MS, HOUR_MS, PERIOD_MS, type Period } from "./windows";

/** Explicit windows of rates (reference §2.6). */
export const MAX_RATES_WINDOW_MS = 24 * HOUR_MS;
/** Explicit windows of counts and per-flag breakdowns: the longest period. */
export const MAX_WINDOW_MS = 30 * DAY_MS;
export const MAX_FEATURE_PAGE = 100;
export const DEFAULT_FEATURE_PAGE = 20;

export function period(field: string, value: unknown): Period {
  if (typeof value === "string" && Object.hasOwn(PERIOD_MS, value)) return value as Period;
  throw badInput(field, `${field} must be one of ${Object.keys(PERIOD_MS).join(", ")}`);
}

export function intervalMinutes(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 60) {
    throw badInput(field, "Interval must be between 1 and 60 minutes");
  }
  return value;
}

/** An inclusive `[from, to]`, ordered, at most `maxMs` long; `notFuture`: `from` must not be after `now`. */
export function window(
  fields: { from: string; to: string },
  from: Date,
  to: Date,
  limits: { maxMs: number; now: number; notFuture?: boolean },
): { from: number; to: number } {
  const start = instant(fields.from, from);
  const end = instant(fields.to, to);
  if (end < start) throw badInput(fields.to, `${fields.to} must be >= ${fields.from}`);
  if (end - start > limits.maxMs) {
    throw badInput(fields.to, `Time range cannot exceed ${describe(limits.maxMs)}`);
  }
  if (limits.notFuture && start > limits.now) throw badInput(fields.from, `${fields.from} must not be in the future`);
  return { from: start, to: end };
}

function instant(field: string, value: Date): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw badInput(field, `${field} must be a date-time`);
  return ms;
}

const describe = (ms: number) => (ms % DAY_MS === 0 && ms > DAY_MS ? `${ms / DAY_MS} days` : `${ms / HOUR_MS} hours`);

/** `limit` 1..100 (default 20) and `offset` ≥ 0 (default 0). */
export function featurePage(
  fields: { limit: string; offset: string },
  limit: number | null | undefined,
  offset: number | null | undefined,
): { limit: number; offset: number } {
  const l = limit ?? DEFAULT_FEATURE_PAGE;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 1 || l > MAX_FEATURE_PAGE) {
    throw badInput(fields.limit, `${fields.limit} must be between 1 and ${MAX_FEATURE_PAGE}`);
  }
  if (!Number.isInteger(o) || o < 0) throw badInput(fields.offset, `${fields.offset} must be 0 or more`);
  return { limit: l, offset: o };
}

export const featureKey = (field: string, value: string | null | undefined): string | undefined =>
  v.optionalText(field, value, { min: 1, max: 100 });
