/**
 * Edge HTTP, closed loop: runs `edge.bench.ts` (the edge engineer's wrk bench: `POST /evaluate` on a contextual
 * flag, edge with 100 and 10,000 flags against a bare `Bun.serve`, interleaved rounds, pinned cores) as a child with
 * `--json`, and reports its medians. Its non-2xx count is the check (it exits 1 on any); the edge's answers are
 * checked exactly by the open-loop scenario.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../lib/processes.ts";
import { RunRecorder, runScenario, skipped } from "../lib/result.ts";
import { WRK } from "../lib/wrk.ts";

const EDGE_BENCH = new URL("../edge.bench.ts", import.meta.url).pathname;

interface Load {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

interface EdgeBenchJson {
  results: Record<"bare" | "100" | "10000", Load>;
  rss10kMb: number;
  /** Before the load (newer edge.bench.ts). */
  rss10kSettledMb?: number;
  targets: [string, boolean, string][];
}

await runScenario(async ({ quick }) => {
  if (!WRK) return skipped("wrk is not installed");
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-edge-closed-"));
  try {
    const out = join(dir, "edge.json");
    const child = await runCommand(["bun", EDGE_BENCH, ...(quick ? ["--quick"] : []), "--json", out], {
      timeoutMs: 15 * 60_000,
    });
    process.stdout.write(child.stdout);
    process.stderr.write(child.stderr);
    const run = new RunRecorder();
    if (!(await Bun.file(out).exists())) {
      run.check("edge.bench.ts ran and wrote --json", false, `exit ${child.code}: ${child.stderr.slice(-1000)}`);
      return run.result();
    }
    const report = (await Bun.file(out).json()) as EdgeBenchJson;
    const { bare, 100: e100, 10000: e10k } = report.results;
    const errors = bare.errors + e100.errors + e10k.errors;
    run.check("every reply 2xx under load (wrk)", errors === 0 && child.code === 0, `${errors} non-2xx`);
    const rows: [string, Load][] = [
      ["bare Bun.serve", bare],
      ["edge, 100 flags", e100],
      ["edge, 10,000 flags", e10k],
    ];
    for (const [label, load] of rows) {
      const base = label === "bare Bun.serve" ? undefined : "bare Bun.serve";
      run.metric(`${label}: req/s`, "req/s", load.rps, "higher", base && `${base}: req/s`);
      run.metric(`${label}: p50`, "ms", load.p50Ms, "lower", base && `${base}: p50`);
      run.metric(`${label}: p99`, "ms", load.p99Ms, "lower", base && `${base}: p99`);
    }
    if (report.rss10kSettledMb !== undefined) {
      run.metric("edge, 10,000 flags: RSS before the load", "MB", report.rss10kSettledMb, "lower");
    }
    run.metric("edge, 10,000 flags: RSS after the load", "MB", report.rss10kMb, "lower");
    for (const [name, met, detail] of report.targets) run.note(`target ${met ? "met" : "MISSED"}: ${name} (${detail})`);
    return run.result();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
