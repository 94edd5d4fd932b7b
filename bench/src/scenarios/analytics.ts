/**
 * Analytics: runs `analytics.bench.ts` (analytics' bench on a temporary Postgres database: ingest through
 * `ingestEvaluations` with compaction running, a synthetic history folded into the cube, the dashboard queries'
 * p50/p95) as a child and reads the figures from the lines it prints — or, if it writes one, a `--json` result in
 * this suite's `ScenarioRun` shape. Checks: it exits 0 and prints its figures. Skipped until the file is committed
 * (an untracked file is someone's work in progress); ingest is then measured by propagation's ingest phase.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCommand } from "../lib/processes.ts";
import { RunRecorder, runScenario, type ScenarioRun, skipped } from "../lib/result.ts";

const BENCH = new URL("../analytics.bench.ts", import.meta.url).pathname;
const number = (text: string) => Number(text.replaceAll(",", ""));

await runScenario(async ({ quick }) => {
  const absent = !existsSync(BENCH)
    ? "is not in the tree yet"
    : !(await committed(BENCH))
      ? "is not committed yet"
      : "";
  if (absent)
    return skipped(`bench/src/analytics.bench.ts ${absent}; ingest is measured by propagation's ingest phase`);
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-analytics-"));
  try {
    const file = join(dir, "analytics.json");
    const child = await runCommand(["bun", BENCH, ...(quick ? ["--quick"] : []), "--json", file], {
      timeoutMs: 20 * 60_000,
    });
    const out = `${child.stdout}\n${child.stderr}`;
    process.stdout.write(out);
    if (/needs Postgres/.test(out)) return skipped(`no Postgres: ${/needs Postgres: (.*)/.exec(out)?.[1] ?? ""}`);
    const json = (await Bun.file(file).exists()) ? ((await Bun.file(file).json()) as Partial<ScenarioRun>) : undefined;
    if (json && Array.isArray(json.metrics) && Array.isArray(json.checks)) {
      return { metrics: json.metrics, checks: json.checks, notes: json.notes ?? [], skipped: json.skipped };
    }
    return fromText(out, child.code);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function fromText(out: string, code: number): ScenarioRun {
  const run = new RunRecorder();
  run.check("analytics.bench.ts ran to the end", code === 0, `exit ${code}; last lines:\n${lastLines(out)}`);
  const ingest = /^ingest: ([\d,]+) events .*?: ([\d,]+) events\/s stored/m.exec(out);
  if (run.check("ingest figures printed", ingest !== null, ingest?.[0] ?? "no 'ingest:' line")) {
    run.metric("ingest with compaction running", "events/s", number(ingest![2]), "higher");
  }
  const history = /^history: ([\d,]+) evaluations.*?\(([\d,]+) deltas\/s\)/m.exec(out);
  if (run.check("history figures printed", history !== null, history?.[0] ?? "no 'history:' line")) {
    run.metric("compaction of the history", "deltas/s", number(history![2]), "higher");
    run.note(`history: ${history![1]} evaluations over 7 days`);
  }
  const queries = [...out.matchAll(/^ {2}(\S.*?)\s+p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms/gm)];
  run.check("dashboard query figures printed", queries.length > 0, `${queries.length} queries`);
  for (const [, name, , p95] of queries) run.metric(`dashboard: ${name.trim()} p95`, "ms", Number(p95), "lower");
  run.note("analytics.bench.ts checks none of its answers itself; this scenario only checks that it ran and printed");
  return run.result();
}

/** Whether git tracks the file (outside a git checkout: yes, it was shipped). */
async function committed(path: string): Promise<boolean> {
  const inRepo = await Bun.$`git rev-parse --is-inside-work-tree`.cwd(dirname(path)).nothrow().quiet();
  if (inRepo.exitCode !== 0) return true;
  return (await Bun.$`git ls-files --error-unmatch ${path}`.cwd(dirname(path)).nothrow().quiet()).exitCode === 0;
}

function lastLines(out: string): string {
  return out.trim().split("\n").slice(-8).join("\n");
}
