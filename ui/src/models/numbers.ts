/** How the analytics pages write numbers: counts, percentages, bucket times. */

const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** 1,234 below a million, then 1.2M, 3.4B (the API's counts can pass 2^31). */
export function formatCount(n: number): string {
  return Math.abs(n) < 1_000_000 ? whole.format(n) : compact.format(n);
}

/** A percentage with one decimal ("98.5 %"), or "—" when nothing was measured (the API then says 0). */
export function formatPercent(percent: number, measured = true): string {
  if (!measured || !Number.isFinite(percent)) return "—";
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} %`;
}

/** `part` of `total` as a percentage; NaN when `total` is 0 (formatPercent shows "—"). */
export function share(part: number, total: number): number {
  return total > 0 ? (part / total) * 100 : Number.NaN;
}

/** "5 min" / "1 h" for a bucket width. */
export function formatInterval(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** A window's bounds as short local times, with the date when it spans more than a day. */
export function formatWindow(from: number, to: number): string {
  const long = to - from > 12 * 3_600_000;
  const format = (ms: number) =>
    new Date(ms).toLocaleString(undefined, {
      ...(long ? { month: "short", day: "numeric" } : {}),
      hour: "2-digit",
      minute: "2-digit",
    });
  return `${format(from)} – ${format(to)}`;
}

/** "1 flag", "3 flags", with the count formatted. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}
