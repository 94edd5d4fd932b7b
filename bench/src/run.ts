/**
 * The bench suite: `bun run bench` (5 runs of every scenario) or `bun run bench:quick` (1 short run, correctness
 * checks only, for CI). Each scenario is a script in `scenarios/` run as its own process (`--json <file>`), the
 * runs interleaved — run 1 of every scenario, then run 2, … — so a noisy stretch of a shared machine hits them
 * alike. Writes `bench/results/<date>.json` (every run's figures, checks and notes) and `<date>.md` (medians,
 * min–max, ratios to each figure's baseline in the same run); quick runs write `quick-<date>.*` (not committed).
 * Exits 1 when any check of any scenario failed or a scenario crashed. Options: `--runs N`, `--only id,id`,
 * `--render <results.json>` (rewrite that run's markdown).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { describeMachine } from "./lib/machine.ts";
import { renderMarkdown, type ScenarioReport } from "./lib/markdown.ts";
import type { ScenarioRun } from "./lib/result.ts";
import { summarise } from "./lib/summary.ts";

interface Scenario {
  id: string;
  title: string;
  file: string;
}

const SCENARIOS: Scenario[] = [
  { id: "engine", title: "engine micro-benchmarks vs unleash-client, flagd-core, GrowthBook", file: "engine.ts" },
  { id: "edge-closed", title: "edge HTTP, closed loop (wrk) vs bare Bun.serve", file: "edge-closed.ts" },
  { id: "edge-open", title: "edge HTTP, open loop at fixed rates vs bare Bun.serve", file: "edge-open.ts" },
  { id: "unleash-proxy", title: "edge vs the Unleash Proxy on the same flag", file: "unleash-proxy.ts" },
  { id: "scale", title: "edge with 10 / 1,000 / 10,000 flags", file: "scale.ts" },
  { id: "propagation", title: "delivery across two backend replicas, snapshot, ingest", file: "propagation.ts" },
  { id: "analytics", title: "analytics ingest", file: "analytics.ts" },
];

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs") ?? (quick ? 1 : 5));
const only = option("--only")?.split(",");
const outDir = option("--out") ?? new URL("../results", import.meta.url).pathname;
const timeoutMs = quick ? 600_000 : 30 * 60_000; // a hang, not slowness: CI machines are loaded
const logDir = mkdtempSync(join(tmpdir(), "fluxgate-bench-logs-"));
const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));

interface State {
  scenario: Scenario;
  runs: (ScenarioRun & { run: number; seconds: number })[];
  skipped?: string;
}

let current: Bun.Subprocess | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    current?.kill("SIGTERM");
    process.exit(130);
  });
}

async function runOnce(scenario: Scenario, run: number): Promise<ScenarioRun & { seconds: number }> {
  const json = join(logDir, `${scenario.id}-${run}.json`);
  const log = join(logDir, `${scenario.id}-${run}.log`);
  const file = new URL(`./scenarios/${scenario.file}`, import.meta.url).pathname;
  const started = performance.now();
  const child = Bun.spawn(["bun", file, ...(quick ? ["--quick"] : []), "--json", json], {
    stdout: "pipe",
    stderr: "pipe",
  });
  current = child;
  const timer = setTimeout(() => {
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  }, timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  current = undefined;
  await Bun.write(log, `${stdout}\n--- stderr ---\n${stderr}`);
  const seconds = (performance.now() - started) / 1000;
  if (await Bun.file(json).exists()) return { ...((await Bun.file(json).json()) as ScenarioRun), seconds };
  const detail = `exit ${code}${child.signalCode ? ` (${child.signalCode}, timeout ${timeoutMs / 1000} s?)` : ""}`;
  return {
    metrics: [],
    checks: [{ name: "scenario wrote its result", ok: false, detail: `${detail}; log ${log}` }],
    notes: [],
    seconds,
  };
}

function reportOf(s: { id: string; title: string; skipped?: string; runs: ScenarioRun[] }): ScenarioReport {
  if (s.skipped) return { id: s.id, title: s.title, status: "skipped", reason: s.skipped, runs: 0 };
  const summary = summarise(s.runs);
  return {
    id: s.id,
    title: s.title,
    status: summary.failedChecks.length ? "failed" : "ok",
    runs: s.runs.length,
    summary,
  };
}

// `--render <results.json>`: the markdown again from stored results (after a change to the table's layout).
const render = option("--render");
if (render) {
  const stored = await Bun.file(render).json();
  const again = stored.scenarios.map((s: ScenarioReport & { results: ScenarioRun[] }) =>
    reportOf({ ...s, skipped: s.status === "skipped" ? s.reason : undefined, runs: s.results }),
  );
  await Bun.write(render.replace(/\.json$/, ".md"), renderMarkdown(stored, again));
  console.log(`wrote ${render.replace(/\.json$/, ".md")}`);
  process.exit(0);
}

const machine = await describeMachine();
const started = performance.now();
console.log(`FluxGate bench${quick ? " (quick)" : ""}: ${runs} run(s) of ${scenarios.map((s) => s.id).join(", ")}`);
console.log(`logs in ${logDir}\n`);
const states: (State & { id: string; title: string })[] = scenarios.map((scenario) => ({
  ...scenario,
  scenario,
  runs: [],
}));
for (let run = 1; run <= runs; run++) {
  for (const state of states) {
    if (state.skipped) continue;
    const result = await runOnce(state.scenario, run);
    const failed = result.checks.filter((c) => !c.ok);
    if (result.skipped) state.skipped = result.skipped;
    else state.runs.push({ ...result, run });
    const status = result.skipped
      ? `skipped: ${result.skipped}`
      : failed.length
        ? `FAILED (${failed.length} checks)`
        : "ok";
    console.log(`[run ${run}/${runs}] ${state.scenario.id.padEnd(14)} ${status}  (${result.seconds.toFixed(1)} s)`);
    for (const c of failed) console.log(`    ✗ ${c.name}: ${c.detail.split("\n").slice(0, 6).join("\n      ")}`);
  }
}

machine.loadAtEnd = loadavg()[0];
const minutes = (performance.now() - started) / 60_000;
const reports = states.map(reportOf);
const date = new Date().toISOString().slice(0, 10);
const base = join(outDir, `${quick ? "quick-" : ""}${date}`);
const command = quick ? "bun run bench:quick" : `bun run bench${runs === 5 ? "" : ` -- --runs ${runs}`}`;
const header = { date, quick, runs, command: only ? `${command} --only ${only.join(",")}` : command, machine, minutes };
mkdirSync(outDir, { recursive: true });
await Bun.write(
  `${base}.json`,
  JSON.stringify({ ...header, scenarios: states.map((s, i) => ({ ...reports[i], results: s.runs })) }, null, 2),
);
const markdown = renderMarkdown(header, reports);
await Bun.write(`${base}.md`, markdown);
console.log(`\n${markdown}\nwrote ${base}.json and ${base}.md (${minutes.toFixed(1)} min)`);
const failed = reports.filter((r) => r.status === "failed");
if (failed.length) {
  console.error(`FAILED: ${failed.map((r) => r.id).join(", ")} (logs in ${logDir})`);
  process.exit(1);
}
