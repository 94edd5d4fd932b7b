/** Figures of several runs of a scenario → one row per figure: median, min–max, and the ratio to its baseline. */
import type { Check, ScenarioRun } from "./result.ts";
import { type Spread, spread } from "./stats.ts";

export interface Row {
  name: string;
  unit: string;
  better: "higher" | "lower";
  value: Spread;
  baseline?: string;
  /** value / baseline value, per run (same run), then median and range. */
  ratio?: Spread;
}

export interface ScenarioSummary {
  rows: Row[];
  failedChecks: (Check & { run: number })[];
  checksRun: number;
  notes: string[];
}

export function summarise(runs: readonly ScenarioRun[]): ScenarioSummary {
  const names: string[] = [];
  const byName = new Map<string, { unit: string; better: Row["better"]; baseline?: string }>();
  for (const run of runs) {
    for (const m of run.metrics) {
      if (!byName.has(m.name)) names.push(m.name);
      byName.set(m.name, { unit: m.unit, better: m.better, baseline: m.baseline });
    }
  }
  // Absent → NaN (left out); null (unanswered requests) → +∞, which a median must count, not drop.
  const valueIn = (run: ScenarioRun, name: string) => {
    const metric = run.metrics.find((m) => m.name === name);
    if (!metric) return Number.NaN;
    return metric.value === null ? Number.POSITIVE_INFINITY : metric.value;
  };
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? a / b : Number.NaN);
  const rows = names.map((name): Row => {
    const meta = byName.get(name)!;
    const values = runs.map((r) => valueIn(r, name));
    const row: Row = { name, unit: meta.unit, better: meta.better, value: spread(values) };
    if (meta.baseline) {
      row.baseline = meta.baseline;
      row.ratio = spread(runs.map((r) => ratio(valueIn(r, name), valueIn(r, meta.baseline!))));
    }
    return row;
  });
  const failedChecks = runs.flatMap((r, i) => r.checks.filter((c) => !c.ok).map((c) => ({ ...c, run: i + 1 })));
  // Notes carry per-run details (generator lag, targets): the last run's stand for all; the JSON keeps every run's.
  const notes = runs.at(-1)?.notes ?? [];
  return { rows, failedChecks, checksRun: runs.reduce((n, r) => n + r.checks.length, 0), notes };
}
