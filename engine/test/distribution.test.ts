import { describe, expect, test } from "bun:test";
import { compileStore } from "../src/index.ts";
import { flag, rule, snapshot, variantFlag } from "./helpers.ts";

const USERS = 100_000;

describe("weighted splits", () => {
  test("observed shares over 100,000 users sit within 0.5 percentage points of the weights", () => {
    const weights = [
      { variant: "control", weight: 50_000 },
      { variant: "treatment", weight: 33_333 },
      { variant: "holdout", weight: 16_667 },
    ];
    const store = compileStore(snapshot([variantFlag({ key: "exp" }, [rule({ serve: { kind: "split", weights } })])]));
    const counts = new Map<string, number>();
    for (let i = 0; i < USERS; i++) {
      const { variant } = store.evaluate("exp", "env-prod", { targetingKey: `user-${i}` });
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
    }
    for (const w of weights)
      expect(Math.abs((counts.get(w.variant) ?? 0) / USERS - w.weight / 100_000)).toBeLessThan(0.005);
  });

  test("a zero weight is never chosen, and a split without weights uses the variants' weights", () => {
    const f = variantFlag(
      {
        key: "exp",
        variants: [
          { key: "control", value: "a", weight: 1 },
          { key: "treatment", value: "b", weight: 0 },
          { key: "holdout", value: "c", weight: 3 },
        ],
      },
      [rule({ serve: { kind: "split", weights: [] } })],
    );
    const store = compileStore(snapshot([f]));
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(store.evaluate("exp", "env-prod", { targetingKey: `u${i}` }).variant);
    expect([...seen].sort()).toEqual(["control", "holdout"]);
  });

  test("which variant a user gets does not depend on the rollout percentage", () => {
    const split = {
      kind: "split" as const,
      weights: [
        { variant: "control", weight: 1 },
        { variant: "treatment", weight: 1 },
      ],
    };
    const full = compileStore(snapshot([variantFlag({ key: "exp" }, [rule({ serve: split })])]));
    const partial = compileStore(snapshot([variantFlag({ key: "exp" }, [rule({ serve: split, rollout: 40 })])]));
    for (let i = 0; i < 5000; i++) {
      const inPartial = partial.evaluate("exp", "env-prod", { targetingKey: `u${i}` });
      if (inPartial.reason !== "SPLIT") continue;
      expect(inPartial.variant).toBe(full.evaluate("exp", "env-prod", { targetingKey: `u${i}` }).variant);
    }
  });
});

describe("rollout", () => {
  test("raising the percentage only ever adds users", () => {
    const steps = [0, 0.001, 1, 10, 33.333, 50, 99.999, 100];
    const stores = steps.map((rollout) => compileStore(snapshot([flag({ key: "f" }, [rule({ rollout })])])));
    for (let i = 0; i < 20_000; i++) {
      const ctx = { targetingKey: `user-${i}` };
      const on = stores.map((s) => s.evaluate("f", "env-prod", ctx).enabled);
      expect(on).toEqual([...on].sort()); // false before true: once in, in at every higher percentage
    }
  });

  test("0 % admits no one and 100 % everyone; 30 % admits about 30 %", () => {
    const at = (rollout: number) => {
      const store = compileStore(snapshot([flag({ key: "f" }, [rule({ rollout })])]));
      let on = 0;
      for (let i = 0; i < USERS; i++) if (store.evaluate("f", "env-prod", { targetingKey: `user-${i}` }).enabled) on++;
      return on / USERS;
    };
    expect(at(0)).toBe(0);
    expect(at(100)).toBe(1);
    expect(Math.abs(at(30) - 0.3)).toBeLessThan(0.005);
  });

  test("a user keeps their bucket across environments", () => {
    const f = flag({
      key: "f",
      stages: [
        { environmentId: "env-prod", deployed: true, rules: [rule({ rollout: 10 })] },
        { environmentId: "env-stg", deployed: true, rules: [rule({ rollout: 10 })] },
      ],
    });
    const store = compileStore(snapshot([f]));
    for (let i = 0; i < 5000; i++) {
      const ctx = { targetingKey: `user-${i}` };
      expect(store.evaluate("f", "env-stg", ctx).enabled).toBe(store.evaluate("f", "env-prod", ctx).enabled);
    }
  });
});
