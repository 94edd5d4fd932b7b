/**
 * Engine micro-benchmarks (mitata): the compiled store against the reference evaluator, a hand-written
 * single-flag evaluator and three real peers on the same flag, plus compile time and memory of a large store.
 * `bun bench/src/engine.bench.ts [--quick]`; `runEngineBench({ quick })` for other scripts.
 */

import { heapStats } from "bun:jsc";
import {
  bucketOf,
  compileStore,
  type EvaluationContext,
  evaluate,
  type Flag,
  murmur3Continue,
  murmur3Prefix,
  ROLLOUT_SCALE,
  rolloutBucket,
} from "@fluxgate/engine";
import { do_not_optimize, measure } from "mitata";
import { flagdPeer } from "./peers/flagd.ts";
import { growthbookPeer } from "./peers/growthbook.ts";
import { manySnapshot } from "./peers/many-flags.ts";
import { FLAG_KEY, makeUsers, ROLLOUT_PERCENT, TARGET_COUNTRIES, targeted, type User } from "./peers/scenario.ts";
import { unleashPeer } from "./peers/unleash.ts";

const USERS = 4096; // a power of two: the benches cycle through them with a mask
const ENV = "production";

export interface EngineBenchReport {
  opsPerSecond: Record<string, number>;
  /** Wall-clock median of the timed compiles (the target's figure). */
  compileMs: number;
  /** CPU time of the same compiles (median; main thread plus GC and JIT threads): less sensitive to load. */
  compileCpuMs: number;
  /** The first timed compile (the compiler's code still cold), wall clock and CPU. */
  firstCompileMs: number;
  firstCompileCpuMs: number;
  compileHeapMb: number;
  targets: { name: string; met: boolean; detail: string }[];
}

/** The benchmark flag in FluxGate: country in the target set, 30 % rollout. */
function benchFlag(): Flag {
  return {
    key: FLAG_KEY,
    salt: FLAG_KEY,
    valueType: "boolean",
    variants: [],
    killed: false,
    dependencies: [],
    stages: [
      {
        environmentId: "env-prod",
        deployed: true,
        rules: [
          {
            id: "countries",
            groupsOperator: "AND",
            groups: [
              { operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: TARGET_COUNTRIES }] },
            ],
            rollout: ROLLOUT_PERCENT,
            serve: { kind: "on" },
          },
        ],
      },
    ],
  };
}

const staticFlag: Flag = {
  ...benchFlag(),
  key: "static",
  stages: [{ environmentId: "env-prod", deployed: true, rules: [] }],
};

/** The flag written by hand the obvious way: a Set lookup and the public rollout bucket. */
function handWritten(): (ctx: EvaluationContext) => boolean {
  const countries = new Set(TARGET_COUNTRIES);
  const threshold = ROLLOUT_PERCENT * 1000;
  return (ctx) => {
    const key = ctx.targetingKey;
    return countries.has(ctx.country as string) && typeof key === "string" && rolloutBucket(FLAG_KEY, key) < threshold;
  };
}

/** The fastest code we could write by hand for this one flag: a Set lookup and one murmur3 from a cached prefix. */
function handTuned(): (ctx: EvaluationContext) => boolean {
  const countries = new Set(TARGET_COUNTRIES);
  const prefix = murmur3Prefix(`${FLAG_KEY}:`, 0);
  const threshold = ROLLOUT_PERCENT * 1000;
  return (ctx) => {
    const key = ctx.targetingKey;
    return (
      countries.has(ctx.country as string) &&
      typeof key === "string" &&
      bucketOf(murmur3Continue(prefix, key), ROLLOUT_SCALE) < threshold
    );
  };
}

/** Rounds per scenario (see `measureAll`); each round measures for 1/ROUNDS of the scenario's budget. */
const ROUNDS = 5;

/** Median ops/s of one scenario over `budgetNs` of CPU time; `step()` evaluates the scenario's next context. */
async function opsPerSecond(step: () => unknown, quick: boolean, budgetNs: number): Promise<number> {
  const stats = await measure(step, quick ? { min_cpu_time: 50e6, max_samples: 1e4 } : { min_cpu_time: budgetNs });
  return 1e9 / stats.p50;
}

/**
 * Ops/s of every scenario: the median of ROUNDS short rounds that take the scenarios in turn (one in quick
 * mode), so that a burst of load from other processes on a shared machine lands on all scenarios alike
 * instead of on whichever ran during it. Each round gets 1/ROUNDS of the former one-second budget.
 */
async function measureAll(scenarios: [string, () => unknown][], quick: boolean): Promise<Record<string, number>> {
  const rounds = quick ? 1 : ROUNDS;
  const samples = new Map<string, number[]>(scenarios.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, step] of scenarios) samples.get(name)!.push(await opsPerSecond(step, quick, 1000e6 / rounds));
  }
  const ops: Record<string, number> = {};
  for (const [name, values] of samples) ops[name] = values.sort((x, y) => x - y)[values.length >> 1];
  return ops;
}

/** Fails loudly when an evaluator disagrees with the expectation before it is measured. */
function check(name: string, ok: boolean, detail: string): void {
  if (!ok) throw new Error(`${name}: answers disagree with the engine (${detail})`);
}

/** Share of users a peer turns on, among targeted and other countries: sane = about 30 % and 0. */
function checkPeer(name: string, users: User[], on: (u: User) => boolean): void {
  const inSet = users.filter(targeted);
  const share = inSet.filter(on).length / inSet.length;
  const leaks = users.filter((u) => !targeted(u) && on(u)).length;
  check(
    name,
    Math.abs(share - ROLLOUT_PERCENT / 100) < 0.03 && leaks === 0,
    `share ${share.toFixed(3)}, ${leaks} leaks`,
  );
}

interface CompileFigures {
  ms: number;
  cpuMs: number;
  firstMs: number;
  firstCpuMs: number;
  heapMb: number;
}

/** Compile time (median, wall clock and CPU) and retained heap of a 10,000-flag × 3-environment store. */
function compileFigures(quick: boolean): CompileFigures {
  const snapshot = manySnapshot(10_000);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    compileStore(snapshot);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const [firstMs, firstCpuMs] = [times[0], cpu[0]];
  Bun.gc(true);
  const before = heapStats().heapSize;
  const store = compileStore(snapshot);
  Bun.gc(true);
  const heapMb = (heapStats().heapSize - before) / 2 ** 20;
  do_not_optimize(store);
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  return { ms: median(times), cpuMs: median(cpu), firstMs, firstCpuMs, heapMb };
}

export async function runEngineBench({ quick }: { quick: boolean }): Promise<EngineBenchReport> {
  const flag = benchFlag();
  const store = compileStore({ version: 1, environments: [{ id: "env-prod", name: ENV }], flags: [flag, staticFlag] });
  const users = makeUsers(USERS);
  const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
  const hand = handWritten();
  const tuned = handTuned();
  const options = { environments: store.environments };
  const [unleash, flagd, growthbook] = [await unleashPeer(), flagdPeer(), growthbookPeer()];
  const peerContexts = [unleash, flagd, growthbook].map((p) => users.map(p.context));

  // Agreement first: the engine's evaluators exactly, the peers (other hashes) only for sanity.
  for (const [i, ctx] of contexts.entries()) {
    const compiled = store.evaluate(FLAG_KEY, ENV, ctx).enabled;
    check("reference", evaluate(flag, ENV, ctx, options).enabled === compiled, users[i].id);
    check("hand-written", hand(ctx) === compiled, users[i].id);
    check("hand-tuned", tuned(ctx) === compiled, users[i].id);
  }
  checkPeer(
    "compiled store",
    users,
    (u) => store.evaluate(FLAG_KEY, ENV, { targetingKey: u.id, country: u.country }).enabled,
  );
  checkPeer("unleash-client", users, (u) => unleash.check(unleash.context(u)));
  checkPeer("flagd-core", users, (u) => flagd.check(flagd.context(u)));
  checkPeer("growthbook", users, (u) => growthbook.check(growthbook.context(u)));

  // One literal closure per scenario: a shared one would make its call site polymorphic and slow every
  // scenario after the first. Each cycles through the users with its own counter.
  const m = USERS - 1;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let e = 0;
  let f = 0;
  let g = 0;
  let h = 0;
  const [uc, fc, gc] = peerContexts;
  const ops = await measureAll(
    [
      [
        "hand-written (rolloutBucket + Set)",
        () => {
          a = (a + 1) & m;
          return do_not_optimize(hand(contexts[a]));
        },
      ],
      [
        "hand-tuned (cached salt prefix)",
        () => {
          h = (h + 1) & m;
          return do_not_optimize(tuned(contexts[h]));
        },
      ],
      [
        "compiled store",
        () => {
          b = (b + 1) & m;
          return do_not_optimize(store.evaluate(FLAG_KEY, ENV, contexts[b]));
        },
      ],
      [
        "reference evaluate()",
        () => {
          c = (c + 1) & m;
          return do_not_optimize(evaluate(flag, ENV, contexts[c], options));
        },
      ],
      [
        "unleash-client",
        () => {
          d = (d + 1) & m;
          return do_not_optimize(unleash.check(uc[d]));
        },
      ],
      [
        "@openfeature/flagd-core",
        () => {
          e = (e + 1) & m;
          return do_not_optimize(flagd.check(fc[e]));
        },
      ],
      [
        "@growthbook/growthbook",
        () => {
          f = (f + 1) & m;
          return do_not_optimize(growthbook.check(gc[f]));
        },
      ],
      [
        "compiled store, flag without rules",
        () => {
          g = (g + 1) & m;
          return do_not_optimize(store.evaluate("static", ENV, contexts[g]));
        },
      ],
    ],
    quick,
  );
  unleash.close();

  const compile = compileFigures(quick);
  const report = summarise(ops, compile);
  print(report);
  return report;
}

function summarise(ops: Record<string, number>, compile: CompileFigures): EngineBenchReport {
  const storeOps = ops["compiled store"];
  const fastestPeer = Math.max(ops["unleash-client"], ops["@openfeature/flagd-core"], ops["@growthbook/growthbook"]);
  const noRules = ops["compiled store, flag without rules"];
  const handRatio = storeOps / ops["hand-written (rolloutBucket + Set)"];
  const tunedRatio = storeOps / ops["hand-tuned (cached salt prefix)"];
  return {
    opsPerSecond: ops,
    compileMs: compile.ms,
    compileCpuMs: compile.cpuMs,
    firstCompileMs: compile.firstMs,
    firstCompileCpuMs: compile.firstCpuMs,
    compileHeapMb: compile.heapMb,
    targets: [
      { name: "store ≥ 0.9× hand-written", met: handRatio >= 0.9, detail: `${handRatio.toFixed(2)}×` },
      { name: "store ≥ 0.9× hand-tuned (stretch)", met: tunedRatio >= 0.9, detail: `${tunedRatio.toFixed(2)}×` },
      {
        name: "store ≥ 5× fastest peer",
        met: storeOps >= 5 * fastestPeer,
        detail: `${(storeOps / fastestPeer).toFixed(1)}×`,
      },
      { name: "flag without rules ≥ 20 M/s", met: noRules >= 20e6, detail: `${(noRules / 1e6).toFixed(1)} M/s` },
      { name: "compile 10k flags × 3 envs ≤ 300 ms", met: compile.ms <= 300, detail: `${compile.ms.toFixed(0)} ms` },
      { name: "compiled store heap ≤ 100 MB", met: compile.heapMb <= 100, detail: `${compile.heapMb.toFixed(1)} MB` },
    ],
  };
}

function print(report: EngineBenchReport): void {
  const storeOps = report.opsPerSecond["compiled store"];
  console.log(`\nFluxGate engine bench — Bun ${Bun.version}, ${process.platform}/${process.arch}\n`);
  console.log(`${"scenario".padEnd(38)}${"ops/s (median)".padStart(16)}${"vs store".padStart(10)}`);
  for (const [name, ops] of Object.entries(report.opsPerSecond)) {
    console.log(
      `${name.padEnd(38)}${Math.round(ops).toLocaleString("en-US").padStart(16)}${`${(ops / storeOps).toFixed(2)}×`.padStart(10)}`,
    );
  }
  console.log(
    `\ncompile 10,000 flags × 3 envs: ${report.compileMs.toFixed(1)} ms (median), heap ${report.compileHeapMb.toFixed(1)} MB`,
  );
  console.log(
    `  CPU ${report.compileCpuMs.toFixed(1)} ms (median); first compile ${report.firstCompileMs.toFixed(1)} ms, CPU ${report.firstCompileCpuMs.toFixed(1)} ms`,
  );
  console.log("\ntargets:");
  for (const t of report.targets) console.log(`  ${t.met ? "met " : "MISS"}  ${t.name}: ${t.detail}`);
}

if (import.meta.main) await runEngineBench({ quick: process.argv.includes("--quick") });
