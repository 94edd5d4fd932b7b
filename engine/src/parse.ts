/** Strict parsers for number and date operands; invalid text gives NaN (never a throw). */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A finite decimal number (`12`, `-3.5`, `1e3`); hex, blanks, `1e999`, `Infinity` and `""` are NaN. */
export function parseNumber(text: string): number {
  const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) ? n : Number.NaN;
}

/**
 * Epoch ms of an ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T10:00:00.5+02:00`, no offset = UTC),
 * or of a decimal number taken as epoch ms. Out-of-range fields (Feb 30, hour 24) are NaN.
 */
export function parseDate(text: string): number {
  const m = ISO_DATE.exec(text);
  if (m === null) return parseNumber(text);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs(m[8]);
}

/** Offset of a `Z` / `+hh:mm` / `-hh:mm` suffix in ms; absent = UTC. */
function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return hours > 23 || minutes > 59 ? Number.NaN : sign * (hours * 60 + minutes) * 60_000;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
