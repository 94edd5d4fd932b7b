/**
 * Edge HTTP, open loop: `POST /evaluate` for the benchmark flag (edge serving 100 flags from a snapshot file) and the
 * bare `Bun.serve` baseline, each at fixed request rates, latency from each request's scheduled send time
 * (coordinated-omission-free; the generator is its own process on the other core). Every reply is checked: 200, the
 * `/evaluate` shape, and for the edge exactly the engine's decision for that user (`compileStore(...).evaluate`);
 * a sample is also asked before and after the load.
 */
import { askAll, checkExact } from "../lib/answers.ts";
import { benchUsers, ENVIRONMENT, evaluateBodies, expectedAnswers, snapshotOf } from "../lib/bench-flag.ts";
import { keptUp, type OpenLoopResult, openLoop } from "../lib/open-loop.ts";
import { pinningNote } from "../lib/processes.ts";
import { RunRecorder, runScenario } from "../lib/result.ts";
import { type Server, startBare, startEdge } from "../lib/servers.ts";

const FLAGS = 100;
const CONNECTIONS = 32;

await runScenario(async ({ quick }) => {
  const rates = quick ? [500, 2000] : [500, 2000, 5000];
  const seconds = quick ? 1.5 : 8;
  const warmupSeconds = quick ? 0.5 : 2;
  const run = new RunRecorder();
  const users = benchUsers();
  const bodies = evaluateBodies(users);
  const snapshot = snapshotOf(FLAGS);
  const expected = expectedAnswers(snapshot, users);
  run.note(`${pinningNote()}; ${CONNECTIONS} connections; ${warmupSeconds} s warm-up + ${seconds} s per rate`);
  const servers: Record<string, Server> = {};
  try {
    servers.bare = await startBare();
    servers.edge = await startEdge(snapshot);
    const evaluate = `${servers.edge.url}/evaluate`;
    checkExact(run, "edge = engine before the load (every user)", await askAll(evaluate, bodies, "evaluate"), expected);
    for (const rate of rates) {
      // Alternate which server goes first, so drift in the machine's load does not always favour one.
      const order = rate === rates[1] ? ["edge", "bare"] : ["bare", "edge"];
      const results: Record<string, OpenLoopResult> = {};
      for (const name of order) {
        const plan = { url: servers[name].url, path: "/evaluate", bodies, shape: "evaluate" as const };
        results[name] = await openLoop({ ...plan, rate, seconds, warmupSeconds, connections: CONNECTIONS });
      }
      for (const name of ["bare", "edge"]) record(run, name, rate, results[name]);
      checkExact(run, `edge = engine for every reply under load @ ${rate}/s`, results.edge.decisions, expected);
    }
    checkExact(run, "edge = engine after the load (every user)", await askAll(evaluate, bodies, "evaluate"), expected);
    run.note(`flag checkout-v2 in "${ENVIRONMENT}" among ${FLAGS} flags, ${users.length} users`);
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  return run.result();
});

function record(run: RunRecorder, name: string, rate: number, r: OpenLoopResult): void {
  const label = `${name === "bare" ? "bare Bun.serve" : "edge"} @ ${rate}/s`;
  const base = name === "bare" ? undefined : `bare Bun.serve @ ${rate}/s`;
  run.metric(`${label}: p50`, "ms", r.p50Ms, "lower", base && `${base}: p50`);
  run.metric(`${label}: p99`, "ms", r.p99Ms, "lower", base && `${base}: p99`);
  run.metric(`${label}: p99.9`, "ms", r.p999Ms, "lower", base && `${base}: p99.9`);
  run.metric(`${label}: achieved`, "req/s", r.achievedRps, "higher", base && `${base}: achieved`);
  const non200 = Object.entries(r.statuses).filter(([status]) => status !== "200");
  run.check(
    `${label}: every reply 200 with the /evaluate shape`,
    non200.length === 0 && r.badBodies === 0,
    `${r.completed} replies, non-200 ${JSON.stringify(Object.fromEntries(non200))}, bad bodies ${r.badBodies}` +
      (r.badExample ? ` (e.g. ${r.badExample})` : ""),
  );
  if (!keptUp(r)) {
    run.note(`${label}: did not keep up (${r.timedOut} of ${r.scheduled} unanswered, ${Math.round(r.achievedRps)}/s)`);
  }
  run.note(
    `${label}: generator send lag p99 ${r.sendLagP99Ms === null ? "— (nothing measured was sent)" : `${r.sendLagP99Ms.toFixed(2)} ms`}, ${r.socketErrors} socket errors`,
  );
}
