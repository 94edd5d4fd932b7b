/**
 * Scale: the edge holding 10, 1,000 and 10,000 flags (the benchmark flag and realistic others, 3 environments) —
 * closed-loop throughput on the benchmark flag (wrk), the edge's RSS after the load, its start-up from the snapshot
 * file, and the time to apply a snapshot of that size (`TenantRegistry.applySnapshot`: what the edge does when a
 * snapshot arrives — compile and swap). Ratios are to the 10-flag edge of the same run. Checks: every user's
 * answer equals the engine's, and every reply under load is 200 with a decision.
 */
import type { Snapshot } from "@fluxgate/engine";
import { createLogger } from "../../../edge/src/log.ts";
import { TenantRegistry } from "../../../edge/src/store/tenants.ts";
import { askAll, checkExact } from "../lib/answers.ts";
import { benchUsers, evaluateBodies, expectedAnswers, snapshotOf } from "../lib/bench-flag.ts";
import { pinningNote, rssMb } from "../lib/processes.ts";
import { RunRecorder, runScenario, skipped } from "../lib/result.ts";
import { type Server, startEdge } from "../lib/servers.ts";
import { median } from "../lib/stats.ts";
import { closedLoop, WRK } from "../lib/wrk.ts";

const SIZES = [10, 1_000, 10_000];
const CONNECTIONS = 16;

const label = (n: number) => `${n.toLocaleString("en-US")} flags`;

await runScenario(async ({ quick }) => {
  if (!WRK) return skipped("wrk is not installed");
  const run = new RunRecorder();
  const users = benchUsers();
  const bodies = evaluateBodies(users);
  const snapshots = SIZES.map((n) => snapshotOf(n));
  for (const [i, n] of SIZES.entries()) {
    const base = i === 0 ? undefined : `${label(SIZES[0])}: snapshot apply`;
    run.metric(`${label(n)}: snapshot apply`, "ms", applyMs(snapshots[i], quick ? 1 : 7), "lower", base);
  }
  const edges: Server[] = [];
  try {
    for (const snapshot of snapshots) edges.push(await startEdge(snapshot));
    for (const [i, n] of SIZES.entries()) {
      const base = i === 0 ? undefined : `${label(SIZES[0])}: edge start-up`;
      run.metric(`${label(n)}: edge start-up`, "ms", edges[i].startMs, "lower", base);
      const count = quick ? 256 : bodies.length; // a sample in quick mode
      const answers = await askAll(`${edges[i].url}/evaluate`, bodies, "evaluate", { count });
      const expected = expectedAnswers(snapshots[i], users);
      checkExact(run, `${label(n)}: edge = engine (${count} users)`, answers, expected);
    }
    const plan = { path: "/evaluate", bodies, marker: '"enabled":', connections: CONNECTIONS };
    if (!quick) for (const edge of edges) await closedLoop({ ...plan, url: edge.url, seconds: 3 }); // warm-up
    for (const [i, n] of SIZES.entries()) {
      const r = await closedLoop({ ...plan, url: edges[i].url, seconds: quick ? 2 : 6 });
      const base = i === 0 ? undefined : label(SIZES[0]);
      run.metric(`${label(n)}: req/s`, "req/s", r.rps, "higher", base && `${base}: req/s`);
      run.metric(`${label(n)}: p99`, "ms", r.p99Ms, "lower", base && `${base}: p99`);
      run.metric(`${label(n)}: edge RSS`, "MB", await rssMb(edges[i].pid), "lower", base && `${base}: edge RSS`);
      run.check(
        `${label(n)}: every wrk reply 200 with a decision`,
        r.bad === 0 && r.requests > 0, // a socket error or timeout is no answer (slowness), not a wrong one
        `${r.requests} requests, ${r.bad} bad replies, ${r.socketErrors} socket errors`,
      );
    }
    run.note(`${pinningNote()}; wrk -t1 -c${CONNECTIONS}; snapshot apply measured in the scenario process (unpinned)`);
  } finally {
    await Promise.all(edges.map((e) => e.stop()));
  }
  return run.result();
});

/** Median time of the edge's snapshot apply (compile + swap) on a fresh registry, after one warm-up. */
function applyMs(snapshot: Snapshot, times: number): number {
  const log = createLogger("silent");
  new TenantRegistry(log).applySnapshot("bench-team", snapshot);
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const registry = new TenantRegistry(log);
    const started = performance.now();
    registry.applySnapshot("bench-team", snapshot);
    samples.push(performance.now() - started);
  }
  return median(samples);
}
