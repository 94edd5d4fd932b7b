/**
 * Scale: the edge holding 10, 1,000 and 10,000 flags (the benchmark flag and realistic others, 3 environments) —
 * closed-loop throughput on the benchmark flag (wrk), the edge's CPU time per request, its RSS after the load, its
 * start-up from the snapshot file, and the time to apply a snapshot of that size (`TenantRegistry.applySnapshot`:
 * what the edge does when a snapshot arrives — compile and swap). Ratios are to the 10-flag edge of the same run.
 * Checks: every user's answer equals the engine's, and every reply under load is 200 with a decision.
 *
 * Like with like: every size gets the same requests (the same flag, users and bodies), the same warm-up (quick mode
 * too: a JIT-cold edge would be measured against warm ones) and the server core to itself — one edge process at a
 * time, started, measured and stopped before the next. Req/s on a shared machine moves with whatever else runs;
 * the edge's CPU time per request (utime + stime from /proc over the load, divided by the requests served) moves
 * far less, and is what to compare across sizes.
 */
import type { Snapshot } from "@fluxgate/engine";
import { createLogger } from "../../../edge/src/log.ts";
import { TenantRegistry } from "../../../edge/src/store/tenants.ts";
import { askAll, checkExact } from "../lib/answers.ts";
import { benchUsers, evaluateBodies, expectedAnswers, snapshotOf } from "../lib/bench-flag.ts";
import { pinningNote, rssMb } from "../lib/processes.ts";
import { RunRecorder, runScenario, skipped } from "../lib/result.ts";
import { startEdge } from "../lib/servers.ts";
import { median } from "../lib/stats.ts";
import { closedLoop, WRK } from "../lib/wrk.ts";

const SIZES = [10, 1_000, 10_000];
const CONNECTIONS = 16;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

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
  for (const [i, n] of SIZES.entries()) {
    const base = i === 0 ? undefined : label(SIZES[0]);
    const edge = await startEdge(snapshots[i]);
    try {
      run.metric(`${label(n)}: edge start-up`, "ms", edge.startMs, "lower", base && `${base}: edge start-up`);
      const count = quick ? 256 : bodies.length; // a sample in quick mode
      const answers = await askAll(`${edge.url}/evaluate`, bodies, "evaluate", { count });
      checkExact(run, `${label(n)}: edge = engine (${count} users)`, answers, expectedAnswers(snapshots[i], users));
      const plan = { path: "/evaluate", bodies, marker: '"enabled":', connections: CONNECTIONS, url: edge.url };
      await closedLoop({ ...plan, seconds: quick ? 1 : 3 }); // warm-up
      const ticks = await cpuTicks(edge.pid);
      const r = await closedLoop({ ...plan, seconds: quick ? 2 : 6 });
      const cpuUs = (((await cpuTicks(edge.pid)) - ticks) / TICKS_PER_SECOND / r.requests) * 1e6;
      run.metric(`${label(n)}: req/s`, "req/s", r.rps, "higher", base && `${base}: req/s`);
      run.metric(`${label(n)}: p99`, "ms", r.p99Ms, "lower", base && `${base}: p99`);
      run.metric(`${label(n)}: edge CPU per request`, "µs", cpuUs, "lower", base && `${base}: edge CPU per request`);
      run.metric(`${label(n)}: edge RSS`, "MB", await rssMb(edge.pid), "lower", base && `${base}: edge RSS`);
      run.check(
        `${label(n)}: every wrk reply 200 with a decision`,
        r.bad === 0 && r.requests > 0, // a socket error or timeout is no answer (slowness), not a wrong one
        `${r.requests} requests, ${r.bad} bad replies, ${r.socketErrors} socket errors`,
      );
    } finally {
      await edge.stop();
    }
  }
  run.note(
    `${pinningNote()}; one edge at a time; wrk -t1 -c${CONNECTIONS}, warm-up then load on each; ` +
      "snapshot apply measured in the scenario process (unpinned)",
  );
  return run.result();
});

/** CPU time (user + system) a process has used, in clock ticks. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

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
