/**
 * Delivery: runs `propagation.bench.ts` (delivery perf's bench on a temporary Postgres database: a change's
 * commit → held by edges on two backend replicas, a 10,000-flag snapshot delivered and compiled, evaluation-event
 * ingest) as a child and reads the figures from the lines it prints. Checks: it exits 0 (it throws when a change
 * does not reach both edges), every snapshot holds all its flags, and ingest stored at least the events sent.
 */
import { runCommand } from "../lib/processes.ts";
import { RunRecorder, runScenario, skipped } from "../lib/result.ts";

const BENCH = new URL("../propagation.bench.ts", import.meta.url).pathname;
const SNAPSHOT_FLAGS = 10_000;

await runScenario(async ({ quick }) => {
  const child = await runCommand(["bun", BENCH, ...(quick ? ["--quick"] : [])], { timeoutMs: 15 * 60_000 });
  const out = `${child.stdout}\n${child.stderr}`;
  process.stdout.write(out);
  if (/needs Postgres/.test(out)) return skipped(`no Postgres: ${/needs Postgres: (.*)/.exec(out)?.[1] ?? ""}`);
  const run = new RunRecorder();
  run.check("propagation.bench.ts ran to the end", child.code === 0, `exit ${child.code}${tail(out)}`);

  // "propagation: <what was measured>: p50 … ms, p99 … ms, max … ms" (the wording of <what> varies with the bench)
  const prop = /^propagation: (.*?): p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms/m.exec(out);
  if (run.check("propagation figures printed", prop !== null, prop ? prop[0] : "no 'propagation:' line")) {
    run.metric("change → held by both edges: p50", "ms", Number(prop![2]), "lower");
    run.metric("change → held by both edges: p99", "ms", Number(prop![3]), "lower");
    run.metric("change → held by both edges: max", "ms", Number(prop![4]), "lower");
    run.note(`propagation measured: ${prop![1]}`);
  }
  const snapshots = [
    ...out.matchAll(/^snapshot \(([\w-]+)\): (\d+) flags delivered in (\d+) ms, applied \(compiled\) at (\d+) ms/gm),
  ];
  run.check("snapshot figures printed", snapshots.length > 0, `${snapshots.length} 'snapshot (…)' lines`);
  for (const [, phase, flags, delivered, applied] of snapshots) {
    run.check(
      `snapshot (${phase}) holds every flag`,
      Number(flags) === SNAPSHOT_FLAGS,
      `${flags} of ${SNAPSHOT_FLAGS}`,
    );
    run.metric(`10,000-flag snapshot (${phase}): delivered`, "ms", Number(delivered), "lower");
    run.metric(`10,000-flag snapshot (${phase}): applied`, "ms", Number(applied), "lower");
  }
  const ingest = /^ingest: (\d+) events in .*?, (\d+) events\/s stored with rollups \((\d+) rows\)/m.exec(out);
  if (run.check("ingest figures printed", ingest !== null, ingest ? ingest[0] : "no 'ingest:' line")) {
    const [, events, rate, rows] = ingest!.map(Number);
    run.metric("ingest (PushEvaluationEvents → Postgres)", "events/s", rate, "higher");
    run.check("ingest stored every event sent", rows >= events, `${rows} rows for ${events} events`);
  }
  return run.result();
});

function tail(out: string): string {
  return `; last lines:\n${out.trim().split("\n").slice(-8).join("\n")}`;
}
