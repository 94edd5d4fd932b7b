import { describe, expect, test } from "bun:test";
import { rolloutBucket } from "../src/index.ts";
import { both, cond, flag, rule, stage, variantFlag } from "./helpers.ts";

const us = cond("country", "in", ["US"]);

describe("stage and kill switch", () => {
  test("a stage without rules serves on to everyone, even without a context", () => {
    expect(both([flag({ key: "f" })], {})).toEqual({ enabled: true, value: true, variant: "on", reason: "STATIC" });
  });

  test("a killed flag is off with reason DISABLED even though its stage would serve it", () => {
    expect(both([flag({ key: "f", killed: true })], {})).toEqual({
      enabled: false,
      value: false,
      variant: "off",
      reason: "DISABLED",
    });
  });

  test("a scheduled kill that is due turns the flag off; one in the future does not", () => {
    const now = 1_750_000_000_000;
    expect(both([flag({ key: "f", killAt: now - 300_000 })], {}, { now }).reason).toBe("DISABLED");
    expect(both([flag({ key: "f", killAt: now })], {}, { now }).reason).toBe("DISABLED");
    expect(both([flag({ key: "f", killAt: now + 300_000 })], {}, { now }).reason).toBe("STATIC");
  });

  test("an environment without a stage, or a stage not deployed, is DISABLED", () => {
    expect(both([flag({ key: "f" })], {}, { environment: "env-stg" }).reason).toBe("DISABLED");
    expect(both([flag({ key: "f", stages: [stage([], { deployed: false })] })], {}).reason).toBe("DISABLED");
    expect(both([flag({ key: "f" })], {}, { environment: "nowhere" }).reason).toBe("DISABLED");
  });

  test("an environment can be named by its name as well as its id", () => {
    expect(both([flag({ key: "f" })], {}, { environment: "production" }).reason).toBe("STATIC");
  });

  test("a disabled variant flag serves its off variant, else its default variant", () => {
    const withOff = variantFlag({ key: "v", killed: true, offVariant: "holdout" });
    expect(both([withOff], {})).toMatchObject({
      enabled: false,
      variant: "holdout",
      value: "grey",
      reason: "DISABLED",
    });
    expect(both([variantFlag({ key: "v", killed: true })], {})).toMatchObject({ variant: "control", value: "blue" });
  });
});

describe("rules by priority", () => {
  test("the first rule that matches serves, with TARGETING_MATCH at 100 %", () => {
    const rules = [
      rule({ id: "ca", conditions: [cond("country", "in", ["CA"])], serve: { kind: "variant", variant: "holdout" } }),
      rule({ id: "us", conditions: [us], serve: { kind: "variant", variant: "treatment" } }),
      rule({ id: "all", serve: { kind: "variant", variant: "holdout" } }),
    ];
    expect(both([variantFlag({ key: "v" }, rules)], { country: "US" })).toEqual({
      enabled: true,
      value: "green",
      variant: "treatment",
      reason: "TARGETING_MATCH",
      ruleId: "us",
    });
  });

  test("no matching rule serves the default: off for booleans, the default variant otherwise", () => {
    expect(both([flag({ key: "f" }, [rule({ conditions: [us] })])], { country: "UK" })).toEqual({
      enabled: false,
      value: false,
      variant: "off",
      reason: "DEFAULT",
    });
    expect(both([variantFlag({ key: "v" }, [rule({ conditions: [us] })])], { country: "UK" })).toEqual({
      enabled: false,
      value: "blue",
      variant: "control",
      reason: "DEFAULT",
    });
  });

  test("a matching rule whose rollout leaves the user out falls through to the next rule", () => {
    const user = "user-1"; // bucket 70650 for salt checkout-v2 (bucketing-vectors.json)
    expect(rolloutBucket("checkout-v2", user)).toBe(70650);
    const rules = [
      rule({ id: "half", rollout: 50 }),
      rule({ id: "all", serve: { kind: "variant", variant: "holdout" } }),
    ];
    const result = both([variantFlag({ key: "checkout-v2" }, rules)], { targetingKey: user });
    expect(result).toMatchObject({ ruleId: "all", variant: "holdout", reason: "TARGETING_MATCH" });
    const admitted = both([variantFlag({ key: "checkout-v2" }, [rule({ id: "most", rollout: 70.651 })])], {
      targetingKey: user,
    });
    expect(admitted).toMatchObject({ ruleId: "most", variant: "control", reason: "SPLIT", enabled: true });
  });

  test("the bucket boundary is exclusive: bucket 70650 is out at 70.65 % and in at 70.651 %", () => {
    const at = (rollout: number) =>
      both([flag({ key: "checkout-v2" }, [rule({ rollout })])], { targetingKey: "user-1" });
    expect(at(70.65).enabled).toBe(false);
    expect(at(70.651).enabled).toBe(true);
  });

  test("groups combine with the rule's operator and conditions with their group's", () => {
    const anyOf = { operator: "OR" as const, conditions: [us, cond("country", "in", ["CA"])] };
    const beta = { operator: "AND" as const, conditions: [cond("plan", "equals", ["beta"])] };
    const andRule = rule({ groups: [anyOf, beta] });
    const orRule = rule({ groupsOperator: "OR", groups: [anyOf, beta] });
    expect(both([flag({ key: "f" }, [andRule])], { country: "CA", plan: "beta" }).enabled).toBe(true);
    expect(both([flag({ key: "f" }, [andRule])], { country: "CA", plan: "free" }).enabled).toBe(false);
    expect(both([flag({ key: "f" }, [orRule])], { country: "MX", plan: "beta" }).enabled).toBe(true);
    expect(both([flag({ key: "f" }, [orRule])], { country: "MX", plan: "free" }).enabled).toBe(false);
  });

  test("a boolean rule serving off counts as served but not enabled", () => {
    const result = both([flag({ key: "f" }, [rule({ serve: { kind: "variant", variant: "off" } })])], {});
    expect(result).toEqual({ enabled: false, value: false, variant: "off", reason: "TARGETING_MATCH", ruleId: "r1" });
  });

  test("an on serve of a variant flag serves the default variant", () => {
    expect(both([variantFlag({ key: "v" }, [rule()])], {})).toMatchObject({ enabled: true, variant: "control" });
  });
});

describe("sticky value", () => {
  test("100 % admits a user without any sticky value", () => {
    expect(both([flag({ key: "f" }, [rule({ conditions: [us] })])], { country: "US" }).enabled).toBe(true);
  });

  test("under 100 % a user without a sticky value is not admitted, and the trace says why", () => {
    expect(both([flag({ key: "f" }, [rule({ rollout: 99.999 })])], { country: "US" }).enabled).toBe(false);
    expect(both([flag({ key: "f" }, [rule({ rollout: 99.999 })])], { targetingKey: "" }).enabled).toBe(false);
  });

  test("targetingKey comes first, then userId; numbers hash as their JSON text", () => {
    // Buckets (bucketing-vectors.json): "123" 84781, "user-227125" 96800.
    const f = flag({ key: "checkout-v2" }, [rule({ rollout: 84.782 })]);
    expect(both([f], { userId: 123 }).enabled).toBe(true);
    expect(both([f], { targetingKey: "123", userId: "user-227125" }).enabled).toBe(true);
    expect(both([f], { targetingKey: "user-227125", userId: "123" }).enabled).toBe(false);
  });

  test("a stage's bucketing key replaces the default keys", () => {
    const f = flag({ key: "checkout-v2", stages: [stage([rule({ rollout: 84.782 })], { bucketingKey: "accountId" })] });
    expect(both([f], { accountId: "123", targetingKey: "user-227125" }).enabled).toBe(true);
    expect(both([f], { accountId: "user-227125", targetingKey: "123" }).enabled).toBe(false);
    expect(both([f], { targetingKey: "123" }).enabled).toBe(false);
  });

  test("the salt, not the key, decides the bucket, so renaming keeps users where they were", () => {
    const renamed = flag({ key: "checkout-v3", salt: "checkout-v2" }, [rule({ rollout: 70.651 })]);
    expect(both([renamed], { targetingKey: "user-1" }).enabled).toBe(true);
  });
});

describe("dependencies", () => {
  const parent = (deps: { flagKey: string; variant?: string }[]) => flag({ key: "child", dependencies: deps });

  test("a flag whose dependency is on evaluates normally", () => {
    expect(both([parent([{ flagKey: "dep" }]), flag({ key: "dep" })], {}).reason).toBe("STATIC");
  });

  test("a flag whose dependency is off is off with PREREQUISITE_FAILED", () => {
    const result = both([parent([{ flagKey: "dep" }]), flag({ key: "dep", killed: true })], {});
    expect(result).toEqual({ enabled: false, value: false, variant: "off", reason: "PREREQUISITE_FAILED" });
  });

  test("every dependency must hold, along a whole chain", () => {
    const chain = [parent([{ flagKey: "mid" }]), flag({ key: "mid", dependencies: [{ flagKey: "leaf" }] })];
    expect(both([...chain, flag({ key: "leaf" })], {}).enabled).toBe(true);
    expect(both([...chain, flag({ key: "leaf", stages: [] })], {}).reason).toBe("PREREQUISITE_FAILED");
    const two = parent([{ flagKey: "a" }, { flagKey: "b" }]);
    expect(
      both([two, flag({ key: "a" }), flag({ key: "b", stages: [stage([], { deployed: false })] })], {}).enabled,
    ).toBe(false);
  });

  test("a variant dependency holds only while the dependency serves that variant", () => {
    const dep = variantFlag({ key: "dep" }, [
      rule({ conditions: [us], serve: { kind: "variant", variant: "treatment" } }),
    ]);
    const child = parent([{ flagKey: "dep", variant: "treatment" }]);
    expect(both([child, dep], { country: "US" }).enabled).toBe(true);
    expect(both([child, dep], { country: "UK" }).reason).toBe("PREREQUISITE_FAILED");
  });

  test("dependencies are evaluated in the same environment with their own salt", () => {
    const dep = flag({
      key: "checkout-v2",
      stages: [stage([rule({ rollout: 70.651 })], { environmentId: "env-stg" })],
    });
    const child = flag({
      key: "child",
      dependencies: [{ flagKey: "checkout-v2" }],
      stages: [stage([], { environmentId: "env-stg" })],
    });
    expect(both([child, dep], { targetingKey: "user-1" }, { environment: "env-stg" }).enabled).toBe(true);
    expect(both([child, dep], { targetingKey: "user-1" }, { environment: "env-prod" }).enabled).toBe(false);
  });
});
