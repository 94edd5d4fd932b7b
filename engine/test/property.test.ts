import { describe, expect, test } from "bun:test";
import { compileStore, type EvaluationResult, evaluate, explain } from "../src/index.ts";
import { ENVIRONMENTS } from "./helpers.ts";
import { randomContext, randomFlags, seeded } from "./random-flags.ts";

const SNAPSHOTS = 1000;
const FLAGS_PER_SNAPSHOT = 20;
const CONTEXTS_PER_SNAPSHOT = 5; // 1000 × 20 × 5 = 100,000 flag × context evaluations
const NOW = 1_750_000_000_000;

describe("reference evaluator and compiled store", () => {
  test("agree on 100,000 random flags × contexts, results and traces", () => {
    const r = seeded(20240611);
    let evaluations = 0;
    const reasons = new Map<string, number>();
    for (let s = 0; s < SNAPSHOTS; s++) {
      const flags = randomFlags(r, FLAGS_PER_SNAPSHOT, NOW);
      const store = compileStore({ version: s, environments: ENVIRONMENTS, flags });
      const byKey = new Map(flags.map((f) => [f.key, f]));
      const options = { flags: (k: string) => byKey.get(k), environments: ENVIRONMENTS, now: NOW };
      for (let c = 0; c < CONTEXTS_PER_SNAPSHOT; c++) {
        const ctx = randomContext(r);
        const environment = ["env-prod", "staging", "env-stg"][c % 3];
        for (const flag of flags) {
          const expected: EvaluationResult = evaluate(flag, environment, ctx, options);
          const actual = store.evaluate(flag.key, environment, ctx, NOW);
          if (!Bun.deepEquals(actual, expected)) {
            expect({ flag, ctx, environment, actual }).toEqual({ flag, ctx, environment, actual: expected });
          }
          if (c === 0) {
            const trace = store.explain(flag.key, environment, ctx, NOW);
            if (!Bun.deepEquals(trace, explain(flag, environment, ctx, options))) {
              expect({ flag, ctx, trace }).toEqual({ flag, ctx, trace: explain(flag, environment, ctx, options) });
            }
          }
          reasons.set(expected.reason, (reasons.get(expected.reason) ?? 0) + 1);
          evaluations++;
        }
      }
    }
    expect(evaluations).toBeGreaterThanOrEqual(100_000);
    // The generator reaches every outcome, so the agreement above means something.
    for (const reason of ["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT", "PREREQUISITE_FAILED"]) {
      expect(reasons.get(reason) ?? 0).toBeGreaterThan(1000);
    }
  }, 20_000); // about 1 s on an idle machine; the bound is the budget
});
