/**
 * Engine micro-benchmarks: `runEngineBench` from `engine.bench.ts` (mitata; the compiled store against the
 * reference evaluator, hand-written evaluators and unleash-client, flagd-core, GrowthBook on the same flag). It
 * checks that every evaluator agrees (exactly, or for peers on the 30 % share) before it measures, and throws if
 * not. Ratios are to the compiled store of the same run.
 */
import { runEngineBench } from "../engine.bench.ts";
import { RunRecorder, runScenario } from "../lib/result.ts";

const STORE = "compiled store";

await runScenario(async ({ quick }) => {
  const run = new RunRecorder();
  const report = await runEngineBench({ quick });
  run.check("every evaluator agrees with the engine before measuring", true, "runEngineBench checks and throws");
  for (const [name, ops] of Object.entries(report.opsPerSecond)) {
    run.metric(`${name}: ops/s`, "ops/s", ops, "higher", name === STORE ? undefined : `${STORE}: ops/s`);
  }
  run.metric("compile 10,000 flags × 3 envs", "ms", report.compileMs, "lower");
  run.metric("compiled 10,000-flag store heap", "MB", report.compileHeapMb, "lower");
  for (const t of report.targets) run.note(`target ${t.met ? "met" : "MISSED"}: ${t.name} (${t.detail})`);
  return run.result();
});
