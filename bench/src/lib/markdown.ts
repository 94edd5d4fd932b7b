/** The results table (`bench/results/<date>.md`). */
import { type Machine, machineLine } from "./machine.ts";
import type { Spread } from "./stats.ts";
import type { ScenarioSummary } from "./summary.ts";

export interface ScenarioReport {
  id: string;
  title: string;
  status: "ok" | "failed" | "skipped";
  reason?: string;
  runs: number;
  summary?: ScenarioSummary;
}

export interface ReportHeader {
  date: string;
  quick: boolean;
  runs: number;
  command: string;
  machine: Machine;
  minutes: number;
}

export function renderMarkdown(header: ReportHeader, scenarios: readonly ScenarioReport[]): string {
  const lines = [
    `# FluxGate bench — ${header.date}${header.quick ? " (quick: 1 short run, figures not for quoting)" : ""}`,
    "",
    `\`${header.command}\` — ${header.runs} run(s) per scenario, interleaved (run 1 of every scenario, then run 2, …); ` +
      `${header.minutes.toFixed(1)} min.`,
    "",
    `Machine: ${machineLine(header.machine)}.`,
    "",
    "Each row: the median of the runs, min–max, and the ratio to the row's baseline computed within each run " +
      "(then its median and range). ↑ = higher is better, ↓ = lower is better. An open-loop latency of ∞: some " +
      "requests of that run were never answered — the server (or the machine) fell behind the rate.",
    "",
  ];
  for (const s of scenarios) lines.push(...section(s));
  const skipped = scenarios.filter((s) => s.status === "skipped");
  if (skipped.length) {
    lines.push("## Skipped", "", "| scenario | reason |", "|---|---|");
    for (const s of skipped) lines.push(`| ${s.id} | skipped: ${s.reason} |`);
    lines.push("");
  }
  return lines.join("\n");
}

function section(s: ScenarioReport): string[] {
  if (s.status === "skipped" || !s.summary) {
    return [`## ${s.id} — ${s.title}`, "", `skipped: ${s.reason ?? "no result"}`, ""];
  }
  const { rows, failedChecks, checksRun, notes } = s.summary;
  const out = [
    `## ${s.id} — ${s.title}`,
    "",
    "| figure | median | min – max | × baseline | baseline |",
    "|---|--:|--:|--:|---|",
  ];
  for (const row of rows) {
    const arrow = row.better === "higher" ? "↑" : "↓";
    const ratio = row.ratio ? ratioCell(row.ratio) : "";
    // A figure missing from some runs (a crashed run): say how many it rests on.
    const partial = row.value.n > 0 && row.value.n < s.runs ? ` (${row.value.n} of ${s.runs} runs)` : "";
    out.push(
      `| ${row.name} ${arrow} | ${num(row.value.median, row.unit)}${partial} | ${range(row.value, row.unit)} | ${ratio} | ${row.baseline ?? ""} |`,
    );
  }
  out.push("");
  out.push(
    failedChecks.length === 0
      ? `Checks: all ${checksRun} passed.`
      : `Checks: **${failedChecks.length} of ${checksRun} FAILED** — ${failedChecks
          .map((c) => `run ${c.run}: ${c.name} (${c.detail.split("\n")[0]})`)
          .join("; ")}`,
  );
  if (notes.length) out.push("", ...notes.map((n) => `- ${n}`));
  out.push("");
  return out;
}

function ratioCell(r: Spread): string {
  if (!r.n) return "—";
  const f = (v: number) => `${v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}×`;
  return r.n > 1 ? `${f(r.median)} (${f(r.min)} – ${f(r.max)})` : f(r.median);
}

function range(s: Spread, unit: string): string {
  if (!s.n) return "—";
  return s.n > 1 && s.min !== s.max ? `${num(s.min, unit)} – ${num(s.max, unit)}` : "";
}

/** A figure with its unit, rounded for reading: rates as integers, times to 3 significant digits. */
export function num(value: number, unit: string): string {
  if (Number.isNaN(value)) return "—";
  if (value === Number.POSITIVE_INFINITY) return "∞";
  if (unit.endsWith("/s")) return `${Math.round(value).toLocaleString("en-US")} ${unit}`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3;
  return `${value.toFixed(digits)} ${unit}`;
}
