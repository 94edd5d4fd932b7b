/**
 * Open-loop load (coordinated-omission-free, like wrk2): requests are scheduled at fixed intervals, whatever the
 * server does, and each latency is measured from the request's *scheduled* send time — a stalled server makes the
 * queued requests' latencies grow instead of silently sending fewer. The generator runs in its own process
 * (`open-loop-worker.ts`), pinned to the load core; this module plans a run and reads its result.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReplyShape } from "./decision.ts";
import { LOAD_CORE, runCommand } from "./processes.ts";

export interface OpenLoopPlan {
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** Request bodies, sent in turn; decisions are reported per body index. */
  bodies: string[];
  shape: ReplyShape;
  /** Requests per second, sent at fixed intervals. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Keep-alive connections; a request waits (and its latency grows) when all are busy. */
  connections: number;
  /** The flag the `unleash-proxy` shape expects in the reply. */
  flag?: string;
}

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  /** Requests scheduled in the measured window. */
  scheduled: number;
  completed: number;
  /** Scheduled but unanswered when the run ended (after a drain of 2 s): counted as slower than every answer. */
  timedOut: number;
  /** Answers per second over the window (stretched when answers came in after it). */
  achievedRps: number;
  /** Latency percentiles from the scheduled send time; null = beyond every answer (unanswered requests). */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  /** How late the generator itself sent requests (p99), a health check of the generator. */
  sendLagP99Ms: number | null;
  statuses: Record<string, number>;
  /** 200 replies whose body did not have the expected shape (first one kept in `badExample`). */
  badBodies: number;
  badExample?: string;
  /** Per body index: 1 on, 0 off, -1 never answered; -2 when one body got both answers (it must not). */
  decisions: number[];
  /** Connections dropped and reopened (their requests re-sent). */
  socketErrors: number;
}

const WORKER = new URL("./open-loop-worker.ts", import.meta.url).pathname;

/** Runs one open-loop load in a pinned child process. */
export async function openLoop(plan: OpenLoopPlan): Promise<OpenLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-open-loop-"));
  try {
    const planFile = join(dir, "plan.json");
    const resultFile = join(dir, "result.json");
    await Bun.write(planFile, JSON.stringify(plan));
    const budgetMs = (plan.warmupSeconds + plan.seconds) * 1000 + 30_000;
    const run = await runCommand(["bun", WORKER, planFile, resultFile], { core: LOAD_CORE, timeoutMs: budgetMs });
    if (run.code !== 0) throw new Error(`open-loop generator exited ${run.code}: ${run.stderr.slice(-2000)}`);
    return (await Bun.file(resultFile).json()) as OpenLoopResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when the server kept up: nearly everything answered, and at about the asked rate. */
export function keptUp(result: OpenLoopResult): boolean {
  return result.timedOut <= result.scheduled * 0.001 && result.achievedRps >= result.rate * 0.95;
}
