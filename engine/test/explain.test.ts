import { describe, expect, test } from "bun:test";
import { compileStore, evaluate, explain, type Flag } from "../src/index.ts";
import { cond, ENVIRONMENTS, flag, rule, snapshot, stage, variantFlag } from "./helpers.ts";

describe("explain", () => {
  const flags = [
    flag({ key: "gate" }),
    variantFlag({ key: "checkout-v2", dependencies: [{ flagKey: "gate" }] }, [
      rule({ id: "ca", conditions: [cond("country", "in", ["CA"])] }),
      rule({ id: "half", rollout: 50 }),
      rule({
        id: "split",
        serve: {
          kind: "split",
          weights: [
            { variant: "control", weight: 1 },
            { variant: "treatment", weight: 2 },
          ],
        },
      }),
    ]),
  ];
  const store = compileStore(snapshot(flags));

  test("the trace names each step, the rule that served, the hash input, bucket and threshold", () => {
    const explanation = store.explain("checkout-v2", "production", { targetingKey: "user-1", country: "US" });
    expect(explanation.steps).toEqual([
      {
        step: "dependency",
        flagKey: "gate",
        variant: null,
        satisfied: true,
        served: { enabled: true, variant: "on", reason: "STATIC" },
      },
      { step: "stage", found: true, deployed: true, rules: 3 },
      { step: "rule", ruleId: "ca", index: 0, matched: false },
      {
        step: "rule",
        ruleId: "half",
        index: 1,
        matched: true,
        admission: {
          rollout: 50,
          threshold: 50000,
          stickyKey: "targetingKey",
          hashInput: "checkout-v2:user-1",
          bucket: 70650,
          admitted: false,
        },
      },
      {
        step: "rule",
        ruleId: "split",
        index: 2,
        matched: true,
        admission: {
          rollout: 100,
          threshold: 100000,
          stickyKey: "targetingKey",
          hashInput: null,
          bucket: null,
          admitted: true,
          split: { hashInput: "checkout-v2:user-1", bucket: 1, totalWeight: 3, variant: "treatment" },
        },
      },
    ]);
    expect(explanation.result).toMatchObject({ variant: "treatment", reason: "SPLIT", ruleId: "split" });
  });

  test("the reference evaluator gives the same trace", () => {
    const byKey = new Map(flags.map((f) => [f.key, f]));
    const options = { flags: (k: string) => byKey.get(k), environments: ENVIRONMENTS };
    const ctx = { targetingKey: "user-1", country: "US" };
    expect(explain(flags[1], "production", ctx, options)).toEqual(store.explain("checkout-v2", "production", ctx));
  });

  test("a user without a sticky value is marked as such", () => {
    const steps = store.explain("checkout-v2", "env-prod", { country: "US" }).steps;
    expect(steps[3]).toMatchObject({
      ruleId: "half",
      admission: { admitted: false, noStickyValue: true, bucket: null },
    });
    expect(steps.at(-1)).toEqual({ step: "default" });
  });

  test("an unknown flag explains as FLAG_NOT_FOUND with no steps", () => {
    expect(store.explain("nope", "env-prod", {})).toMatchObject({ result: { errorCode: "FLAG_NOT_FOUND" }, steps: [] });
  });
});

describe("dependency cycles in the reference evaluator", () => {
  const lookup = (flags: Flag[]) => {
    const byKey = new Map(flags.map((f) => [f.key, f]));
    return { flags: (k: string) => byKey.get(k) };
  };

  test("a cycle is an unsatisfied dependency, never a stack overflow", () => {
    const a = flag({ key: "a", dependencies: [{ flagKey: "b" }] });
    const b = flag({ key: "b", dependencies: [{ flagKey: "a" }] });
    const steps: never[] = [];
    expect(evaluate(a, "env-prod", {}, { ...lookup([a, b]), explain: steps }).reason).toBe("PREREQUISITE_FAILED");
    expect(steps[0]).toMatchObject({ flagKey: "b", satisfied: false, served: { reason: "PREREQUISITE_FAILED" } });
  });

  test("a flag depending on itself is blocked as a cycle", () => {
    const self = flag({ key: "self", dependencies: [{ flagKey: "self" }] });
    const trace = explain(self, "env-prod", {}, lookup([self]));
    expect(trace.result.reason).toBe("PREREQUISITE_FAILED");
    expect(trace.steps[0]).toMatchObject({ step: "dependency", problem: "cycle", satisfied: false, served: null });
  });

  test("a missing dependency is not satisfied", () => {
    const orphan = flag({ key: "orphan", dependencies: [{ flagKey: "gone" }] });
    expect(explain(orphan, "env-prod", {}, lookup([orphan])).steps[0]).toMatchObject({ problem: "missing" });
  });

  test("a diamond (two paths to one flag) is not a cycle", () => {
    const top = flag({ key: "top", dependencies: [{ flagKey: "l" }, { flagKey: "r" }] });
    const l = flag({ key: "l", dependencies: [{ flagKey: "base" }] });
    const r = flag({ key: "r", dependencies: [{ flagKey: "base" }] });
    expect(evaluate(top, "env-prod", {}, lookup([top, l, r, flag({ key: "base" })])).enabled).toBe(true);
  });

  test("the compiled store refuses a cycle up front", () => {
    const a = flag({ key: "a", dependencies: [{ flagKey: "b" }] });
    const b = flag({ key: "b", dependencies: [{ flagKey: "a" }], stages: [stage([])] });
    expect(() => compileStore(snapshot([a, b]))).toThrow(/cycle/);
  });
});
