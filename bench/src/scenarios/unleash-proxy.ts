/**
 * Edge vs the Unleash Proxy (`@unleash/proxy`), both serving only the benchmark flag (30 % rollout + country
 * constraint): closed loop (wrk, req/s) and open loop at fixed rates (latency from the scheduled send time). The
 * proxy needs an Unleash API upstream; a fake one serves it the flag (see `lib/servers.ts`) — the proxy is what is
 * measured. Checks: the edge answers exactly as the engine for every user; the proxy (another hash) turns on ~30 %
 * of targeted users and nobody else, and answers each user the same under load as before it.
 */
import { askAll, checkExact, checkRolloutShape, checkSame } from "../lib/answers.ts";
import {
  benchUsers,
  evaluateBodies,
  expectedAnswers,
  FLAG_KEY,
  snapshotOf,
  unleashProxyBodies,
} from "../lib/bench-flag.ts";
import { keptUp, type OpenLoopPlan, openLoop } from "../lib/open-loop.ts";
import { pinningNote } from "../lib/processes.ts";
import { RunRecorder, runScenario, skipped } from "../lib/result.ts";
import { PROXY_CLIENT_KEY, type Server, startEdge, startUnleashProxy } from "../lib/servers.ts";
import { closedLoop, WRK } from "../lib/wrk.ts";

const CONNECTIONS = 16;
const OPEN_CONNECTIONS = 32;

interface Target {
  label: string;
  server: Server;
  path: string;
  bodies: string[];
  headers: Record<string, string>;
  marker: string;
  shape: OpenLoopPlan["shape"];
}

await runScenario(async ({ quick }) => {
  if (!WRK) return skipped("wrk is not installed");
  const seconds = quick ? 1.5 : 8;
  // Rates the proxy can hold on a shared 2-core machine; the edge's own range is in the edge-open scenario.
  const rates = quick ? [250] : [250, 1000];
  const run = new RunRecorder();
  const users = benchUsers();
  const snapshot = snapshotOf(1);
  const expected = expectedAnswers(snapshot, users);
  const servers: Server[] = [];
  try {
    const edge = await startEdge(snapshot);
    servers.push(edge);
    const proxy = await startUnleashProxy();
    servers.push(proxy);
    run.note(`${pinningNote()}; Unleash Proxy ${proxyVersion()} on ${proxy.runtime}, edge on Bun ${Bun.version}`);
    const targets: Target[] = [
      {
        label: "edge",
        server: edge,
        path: "/evaluate",
        bodies: evaluateBodies(users),
        headers: {},
        marker: '"enabled":',
        shape: "evaluate",
      },
      {
        label: "Unleash Proxy",
        server: proxy,
        path: "/proxy",
        bodies: unleashProxyBodies(users),
        headers: { authorization: PROXY_CLIENT_KEY },
        marker: `"name":"${FLAG_KEY}"`,
        shape: "unleash-proxy",
      },
    ];
    const [edgeT, proxyT] = targets;
    const ask = (t: Target) =>
      askAll(`${t.server.url}${t.path}`, t.bodies, t.shape, { flag: FLAG_KEY, headers: t.headers });
    checkExact(run, "edge = engine (every user)", await ask(edgeT), expected);
    const proxyBefore = await ask(proxyT);
    checkRolloutShape(run, "Unleash Proxy: ~30 % of targeted users, nobody else", proxyBefore, users);

    for (const t of targets) {
      if (!quick) await closedLoop({ ...t, url: t.server.url, seconds: 3, connections: CONNECTIONS }); // warm-up
      const r = await closedLoop({ ...t, url: t.server.url, seconds: quick ? 2 : 6, connections: CONNECTIONS });
      const base = t === edgeT ? undefined : "edge (closed loop)";
      run.metric(`${t.label} (closed loop): req/s`, "req/s", r.rps, "higher", base && `${base}: req/s`);
      run.metric(`${t.label} (closed loop): p50`, "ms", r.p50Ms, "lower", base && `${base}: p50`);
      run.metric(`${t.label} (closed loop): p99`, "ms", r.p99Ms, "lower", base && `${base}: p99`);
      run.check(
        `${t.label}: every wrk reply 200 with the flag`,
        r.bad === 0 && r.requests > 0, // a socket error or timeout is no answer (slowness), not a wrong one
        `${r.requests} requests, ${r.bad} bad replies, ${r.socketErrors} socket errors`,
      );
    }
    for (const rate of rates) {
      for (const t of targets) {
        const r = await openLoop({
          url: t.server.url,
          path: t.path,
          bodies: t.bodies,
          headers: t.headers,
          shape: t.shape,
          flag: FLAG_KEY,
          rate,
          seconds,
          warmupSeconds: quick ? 0.5 : 2,
          connections: OPEN_CONNECTIONS,
        });
        const label = `${t.label} @ ${rate}/s`;
        const base = t === edgeT ? undefined : `edge @ ${rate}/s`;
        run.metric(`${label}: p50`, "ms", r.p50Ms, "lower", base && `${base}: p50`);
        run.metric(`${label}: p99`, "ms", r.p99Ms, "lower", base && `${base}: p99`);
        run.metric(`${label}: p99.9`, "ms", r.p999Ms, "lower", base && `${base}: p99.9`);
        const non200 = Object.entries(r.statuses).filter(([s]) => s !== "200");
        run.check(
          `${label}: every reply 200 with the flag`,
          non200.length === 0 && r.badBodies === 0,
          `${r.completed} replies, non-200 ${JSON.stringify(Object.fromEntries(non200))}, bad bodies ${r.badBodies}`,
        );
        if (t === edgeT) checkExact(run, `${label}: edge = engine for every reply`, r.decisions, expected);
        else checkSame(run, `${label}: each user answered as before the load`, proxyBefore, r.decisions);
        if (!keptUp(r))
          run.note(`${label}: did not keep up (${r.timedOut} unanswered, ${Math.round(r.achievedRps)}/s)`);
        run.note(
          `${label}: generator send lag p99 ${r.sendLagP99Ms === null ? "— (nothing measured was sent)" : `${r.sendLagP99Ms.toFixed(2)} ms`}`,
        );
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return run.result();
});

function proxyVersion(): string {
  return require("@unleash/proxy/package.json").version as string;
}
