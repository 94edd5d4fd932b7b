/**
 * Closed-loop load with `wrk`, pinned to the load core: a Lua script cycles through pre-formatted requests and
 * checks every reply (status 200 and a marker in the body), so a fast server of wrong answers cannot pass.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOAD_CORE, runCommand } from "./processes.ts";

export interface ClosedLoopPlan {
  url: string;
  path: string;
  bodies: string[];
  headers?: Record<string, string>;
  /** Text every 200 reply body must contain. */
  marker: string;
  seconds: number;
  connections: number;
}

export interface ClosedLoopResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Replies that were not 200 or lacked the marker. */
  bad: number;
  /** wrk's socket errors (connect, read, write, timeout): no reply at all. */
  socketErrors: number;
}

export const WRK = Bun.which("wrk");

function luaScript(plan: ClosedLoopPlan): string {
  const headers = Object.entries({ "Content-Type": "application/json", ...plan.headers })
    .map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join(", ");
  const list = plan.bodies
    .map((b) => `    wrk.format("POST", ${JSON.stringify(plan.path)}, headers, ${JSON.stringify(b)}),`)
    .join("\n");
  return `local headers = { ${headers} }
local requests
local i = 0
bad = 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args)
  requests = {
${list}
  }
end
request = function()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, ${JSON.stringify(plan.marker)}, 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("bad_replies %d\\n", total))
end
`;
}

export async function closedLoop(plan: ClosedLoopPlan): Promise<ClosedLoopResult> {
  if (!WRK) throw new Error("wrk is not installed (apt-get install wrk)");
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-wrk-"));
  try {
    const script = join(dir, "load.lua");
    await Bun.write(script, luaScript(plan));
    const command = [WRK, "-t1", `-c${plan.connections}`, `-d${plan.seconds}s`, "--latency", "-s", script];
    const run = await runCommand([...command, `${plan.url}${plan.path}`], {
      core: LOAD_CORE,
      timeoutMs: plan.seconds * 1000 + 30_000,
    });
    if (run.code !== 0) throw new Error(`wrk exited ${run.code}: ${run.stderr}`);
    return parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(out: string): ClosedLoopResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const bad = Number(/bad_replies (\d+)/.exec(out)?.[1] ?? Number.NaN);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, p50Ms: latencyMs(out, "50"), p99Ms: latencyMs(out, "99"), requests, bad, socketErrors: errors };
}

function latencyMs(out: string, percentile: string): number {
  const match = new RegExp(`\\s${percentile}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}
