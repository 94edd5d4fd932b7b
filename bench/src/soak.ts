/**
 * Soak: a backend (embedded PGlite) and two edges as real processes; open-loop `POST /evaluate` load at a fixed rate
 * spread over both edges, and one flag change per second through GraphQL. Checks, all the way through:
 * - no errors (every answer a 200 with a boolean) and no requests the generator had to skip;
 * - no drift: after each change settles (both edges at the change's version, learnt from the `featureChanged`
 *   subscription), both edges give identical answers for the same users; at the end both agree with the engine
 *   (the backend's previewEvaluation: the reference evaluator over the stored flags) on every flag;
 * - memory: RSS of the three processes sampled every 5 s, first minute vs last minute.
 *
 * `bun run soak [--seconds 600] [--rate 2000] [--flags 8]`; `runSoak()` is what test/reliability/soak.test.ts calls
 * with small numbers.
 */
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
import { sseSubscribe } from "../../backend/test/support/subscriptions.ts";
import { combineLoad, formatLoad, type LoadStats, startLoadInWorker } from "../../test/reliability/support/load.ts";
import { createRng } from "../../test/reliability/support/prng.ts";
import {
  type EdgeProcess,
  eventually,
  removeTempDirs,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  tempDir,
  waitReady,
} from "../../test/reliability/support/procs.ts";
import {
  createFlag,
  evaluate,
  type Flag,
  preview,
  setRollout,
  setupWorld,
} from "../../test/reliability/support/world.ts";

export interface SoakOptions {
  seconds: number;
  /** Requests per second over both edges. */
  rate: number;
  flags?: number;
  /** Users compared on both edges after each change. */
  sampleUsers?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface RssSeries {
  process: string;
  firstMiB: number;
  lastMiB: number;
  maxMiB: number;
  growth: number;
}

export interface SoakReport {
  ok: boolean;
  problems: string[];
  load: LoadStats;
  changes: number;
  settle: { p50Ms: number; p99Ms: number; maxMs: number; timeouts: number };
  driftChecks: number;
  drifts: string[];
  engineChecks: number;
  engineMismatches: string[];
  rss: RssSeries[];
  summary: string;
}

const ROLLOUTS = [0, 5, 20, 33.3, 50, 66.7, 80, 95, 100];

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const flagCount = options.flags ?? 8;
  const sampleUsers = options.sampleUsers ?? 20;
  const rng = createRng(options.seed ?? 20_251);
  const problems: string[] = [];
  try {
    const dataDir = join(tempDir("fluxgate-soak-"), "data");
    await prepareDataDir(dataDir);
    const backend = await spawnBackend({ name: "backend", dataDir });
    const world = await setupWorld(backend.url);
    const flags: Flag[] = [];
    for (let i = 0; i < flagCount; i++) flags.push(await createFlag(world, `soak-${i}`, rng.pick(ROLLOUTS)));
    const edges: EdgeProcess[] = await Promise.all(
      ["edge-1", "edge-2"].map((name) =>
        spawnEdge({
          name,
          backendGrpc: backend.grpcUrl,
          clientId: world.client.id,
          clientSecret: world.client.secret,
          logLevel: "warn",
        }),
      ),
    );
    await Promise.all(edges.map((e) => waitReady(e, { connected: true })));
    const changes = await sseSubscribe(
      `${backend.url}/graphql`,
      `subscription($t: ID!) { featureChanged(teamId: $t) { version entityId } }`,
      { t: world.teamId },
      world.admin.token,
    );
    log(
      `soak: ${options.seconds} s at ${options.rate} req/s over 2 edges, ${flagCount} flags, one change per second; ` +
        `backend pid ${backend.pid}, edges ${edges.map((e) => e.pid).join(", ")}`,
    );

    const keys = flags.map((f) => f.key);
    // one generator thread per edge, each at half the rate: the checks below keep their own event loop
    const loads = edges.map((e) => startLoadInWorker({ urls: [e.url], keys, rate: options.rate / 2 }));
    const load = {
      snapshot: async () => combineLoad(await Promise.all(loads.map((l) => l.snapshot()))),
      stop: async () => combineLoad(await Promise.all(loads.map((l) => l.stop()))),
    };
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const rssSamples: { at: number; values: (number | undefined)[] }[] = [];
    const procs = [backend, ...edges];
    const sampleRss = () => rssSamples.push({ at: performance.now() - started, values: procs.map((p) => p.rss()) });
    sampleRss();
    const rssTimer = setInterval(sampleRss, 5_000);
    const settleMs: number[] = [];
    let settleTimeouts = 0;
    let driftChecks = 0;
    const drifts: string[] = [];
    let changeCount = 0;
    let lastProgress = started;

    for (let tick = 0; performance.now() < deadline - 1_500; tick++) {
      const tickStart = performance.now();
      const flag = flags[tick % flags.length];
      const rollout = rng.pick(ROLLOUTS);
      try {
        await setRollout(world, flag, rollout);
      } catch (error) {
        problems.push(`change ${tick} failed: ${String(error).slice(0, 200)}`);
        continue;
      }
      const committed = performance.now();
      changeCount++;
      const event = await changes.next(5_000);
      const version = event?.data?.featureChanged?.version as number | undefined;
      if (version === undefined) {
        problems.push(`change ${tick}: no featureChanged event within 5 s`);
        continue;
      }
      try {
        await eventually(
          async () => {
            const versions = await Promise.all(edges.map(async (e) => (await e.health()).version ?? 0));
            return versions.every((v) => v >= version);
          },
          `both edges at version ${version}`,
          10_000,
          5,
        );
        settleMs.push(performance.now() - committed);
      } catch {
        settleTimeouts++;
        problems.push(`change ${tick} (version ${version}) not on both edges within 10 s`);
      }
      // both edges, same users, same answers
      driftChecks++;
      for (let u = 0; u < sampleUsers; u++) {
        const user = `drift-${tick}-${u}`;
        const [a, b] = await Promise.all(edges.map((e) => evaluate(e.url, flag.key, user)));
        const same =
          a.status === b.status && a.enabled === b.enabled && a.variant === b.variant && a.reason === b.reason;
        if (!same && drifts.length < 20) {
          drifts.push(`${flag.key} @${rollout}% v${version} ${user}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
      }
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        const s = await load.snapshot();
        log(
          `  ${Math.round((lastProgress - started) / 1000)} s: ${s.sent} requests, ${s.errors} errors, ${changeCount} changes, ` +
            `RSS ${procs.map((p) => `${p.name} ${p.rss()}`).join(", ")} MiB`,
        );
      }
      const rest = 1_000 - (performance.now() - tickStart);
      if (rest > 0) await Bun.sleep(rest);
    }
    const stats = await load.stop();
    clearInterval(rssTimer);
    sampleRss();
    changes.close();

    // the final snapshot: both edges and the engine agree on every flag
    const engineMismatches: string[] = [];
    let engineChecks = 0;
    for (const flag of flags) {
      for (let u = 0; u < sampleUsers; u++) {
        const user = `final-${u}`;
        const [a, b] = await Promise.all(edges.map((e) => evaluate(e.url, flag.key, user)));
        const engine = await preview(world, flag, user);
        engineChecks++;
        if (a.enabled !== engine.enabled || b.enabled !== engine.enabled || a.variant !== engine.variant) {
          if (engineMismatches.length < 20) {
            engineMismatches.push(
              `${flag.key} ${user}: engine ${JSON.stringify(engine)}, edges ${a.enabled}/${b.enabled}`,
            );
          }
        }
      }
    }

    // RSS: average of the first and of the last window (a minute, or a third of a short run)
    const windowMs = Math.min(60_000, (options.seconds * 1000) / 3);
    const end = rssSamples[rssSamples.length - 1].at;
    const rss: RssSeries[] = procs.map((p, i) => {
      const avg = (from: number, to: number) => {
        const xs = rssSamples.filter((s) => s.at >= from && s.at <= to).map((s) => s.values[i] ?? 0);
        return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : 0;
      };
      const firstMiB = avg(0, windowMs);
      const lastMiB = avg(end - windowMs, end);
      const maxMiB = Math.max(...rssSamples.map((s) => s.values[i] ?? 0));
      return { process: p.name, firstMiB, lastMiB, maxMiB, growth: Math.round((lastMiB / firstMiB) * 100) / 100 };
    });

    if (stats.errors > 0) problems.push(`${stats.errors} failed requests`);
    if (stats.skipped > 0) problems.push(`${stats.skipped} requests skipped (generator or edges saturated)`);
    if (drifts.length > 0) problems.push(`${drifts.length} drifts between the edges`);
    if (engineMismatches.length > 0) problems.push(`${engineMismatches.length} answers differ from the engine`);
    for (const r of rss) {
      // flat: the last window within 25 % (+16 MiB for small processes) of the first
      if (r.lastMiB > r.firstMiB * 1.25 + 16) problems.push(`${r.process} RSS grew ${r.firstMiB} → ${r.lastMiB} MiB`);
    }
    for (const p of procs) if (!p.alive()) problems.push(`${p.name} died`);

    settleMs.sort((a, b) => a - b);
    const q = (x: number) =>
      settleMs.length ? Math.round(settleMs[Math.min(settleMs.length - 1, Math.floor(x * settleMs.length))]) : 0;
    const settle = { p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), timeouts: settleTimeouts };
    const windowLabel = windowMs === 60_000 ? "first vs last minute" : `first vs last ${Math.round(windowMs / 1000)} s`;
    const summary = [
      `soak ${options.seconds} s: ${formatLoad(stats)}`,
      `changes: ${changeCount} (one per second), commit → both edges p50 ${settle.p50Ms} ms, p99 ${settle.p99Ms} ms, max ${settle.maxMs} ms, ${settleTimeouts} timeouts`,
      `drift: ${driftChecks} checks × ${sampleUsers} users × 2 edges, ${drifts.length} differences; final: ${engineChecks} answers per edge vs the engine, ${engineMismatches.length} differences`,
      `RSS (${windowLabel}, average of 5 s samples): ${rss.map((r) => `${r.process} ${r.firstMiB} → ${r.lastMiB} MiB (×${r.growth}, max ${r.maxMiB})`).join("; ")}`,
      problems.length ? `PROBLEMS: ${problems.join("; ")}` : "no problems",
    ].join("\n");
    return {
      ok: problems.length === 0,
      problems,
      load: stats,
      changes: changeCount,
      settle,
      driftChecks,
      drifts,
      engineChecks,
      engineMismatches,
      rss,
      summary,
    };
  } finally {
    await stopAllProcesses();
    removeTempDirs();
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

if (import.meta.main) {
  const report = await runSoak({ seconds: arg("seconds", 600), rate: arg("rate", 2_000), flags: arg("flags", 8) });
  console.log(report.summary);
  for (const d of [...report.drifts, ...report.engineMismatches].slice(0, 10)) console.log(`  ${d}`);
  process.exit(report.ok ? 0 : 1);
}
