import { describe, expect, test } from "bun:test";
import { compileStore, type Flag, SnapshotError, validateFlag } from "../src/index.ts";
import { cond, ENVIRONMENTS, flag, rule, snapshot, variantFlag } from "./helpers.ts";

/** A valid variant flag with one rule, to break one field at a time. */
function base(): Flag {
  return variantFlag({ key: "bad" }, [rule({ conditions: [cond("country", "in", ["US"])] })]);
}

const cases: [string, (f: Flag) => void, string][] = [
  [
    "an unknown operator",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0].operator = "like" as never;
    },
    "stages[0].rules[0].groups[0].conditions[0].operator",
  ],
  [
    "a bad regex",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("x", "regex", ["(unclosed"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values[0]",
  ],
  [
    "a bad CIDR",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("ip", "ip_in_cidr", ["10.0.0.0/8", "10.0.0.0/33"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values[1]",
  ],
  [
    "a bad semver operand",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("v", "semver_gt", ["1.2"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values[0]",
  ],
  [
    "a bad number operand",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("n", "num_lt", ["ten"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values[0]",
  ],
  [
    "a bad date operand",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("d", "date_before", ["soon"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values[0]",
  ],
  [
    "two operands for a single-operand operator",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0] = cond("n", "num_lt", ["1", "2"]);
    },
    "stages[0].rules[0].groups[0].conditions[0].values",
  ],
  [
    "a non-string operand",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions[0].values = [1 as never];
    },
    "stages[0].rules[0].groups[0].conditions[0].values",
  ],
  [
    "an empty condition group",
    (f) => {
      f.stages[0].rules[0].groups[0].conditions = [];
    },
    "stages[0].rules[0].groups[0].conditions",
  ],
  [
    "a rollout above 100",
    (f) => {
      f.stages[0].rules[0].rollout = 100.001;
    },
    "stages[0].rules[0].rollout",
  ],
  [
    "a negative rollout",
    (f) => {
      f.stages[0].rules[0].rollout = -1;
    },
    "stages[0].rules[0].rollout",
  ],
  [
    "a rollout with 4 decimals",
    (f) => {
      f.stages[0].rules[0].rollout = 33.3333;
    },
    "stages[0].rules[0].rollout",
  ],
  [
    "split weights summing to 0",
    (f) => {
      f.stages[0].rules[0].serve = { kind: "split", weights: [{ variant: "control", weight: 0 }] };
    },
    "stages[0].rules[0].serve.weights",
  ],
  [
    "split weights above 1,000,000",
    (f) => {
      f.stages[0].rules[0].serve = {
        kind: "split",
        weights: [
          { variant: "control", weight: 600_000 },
          { variant: "treatment", weight: 400_001 },
        ],
      };
    },
    "stages[0].rules[0].serve.weights",
  ],
  [
    "a negative split weight",
    (f) => {
      f.stages[0].rules[0].serve = {
        kind: "split",
        weights: [
          { variant: "control", weight: -1 },
          { variant: "treatment", weight: 5 },
        ],
      };
    },
    "stages[0].rules[0].serve.weights[0].weight",
  ],
  [
    "a fractional split weight",
    (f) => {
      f.stages[0].rules[0].serve = {
        kind: "split",
        weights: [
          { variant: "control", weight: 0.5 },
          { variant: "treatment", weight: 5 },
        ],
      };
    },
    "stages[0].rules[0].serve.weights[0].weight",
  ],
  [
    "a split naming an unknown variant",
    (f) => {
      f.stages[0].rules[0].serve = { kind: "split", weights: [{ variant: "purple", weight: 1 }] };
    },
    "stages[0].rules[0].serve.weights[0].variant",
  ],
  [
    "a split without weights over variants without weights",
    (f) => {
      f.stages[0].rules[0].serve = { kind: "split", weights: [] };
    },
    "variants",
  ],
  [
    "a serve of an unknown variant",
    (f) => {
      f.stages[0].rules[0].serve = { kind: "variant", variant: "purple" };
    },
    "stages[0].rules[0].serve.variant",
  ],
  [
    "an unknown default variant",
    (f) => {
      f.defaultVariant = "purple";
    },
    "defaultVariant",
  ],
  [
    "an unknown off variant",
    (f) => {
      f.offVariant = "purple";
    },
    "offVariant",
  ],
  [
    "a variant value of the wrong type",
    (f) => {
      f.variants[1].value = 42;
    },
    "variants[1].value",
  ],
  [
    "a duplicate variant key",
    (f) => {
      f.variants[1].key = "control";
    },
    "variants[1].key",
  ],
  [
    "two stages for one environment",
    (f) => {
      f.stages.push({ ...f.stages[0] });
    },
    "stages[1].environmentId",
  ],
  [
    "a duplicate rule id",
    (f) => {
      f.stages[0].rules.push(rule({ id: "r1" }));
    },
    "stages[0].rules[1].id",
  ],
  [
    "a dependency on an unknown flag",
    (f) => {
      f.dependencies = [{ flagKey: "ghost" }];
    },
    "dependencies[0].flagKey",
  ],
  [
    "a dependency on an unknown variant",
    (f) => {
      f.dependencies = [{ flagKey: "other", variant: "maybe" }];
    },
    "dependencies[0].variant",
  ],
  [
    "a dependency cycle",
    (f) => {
      f.dependencies = [{ flagKey: "loop" }];
    },
    "dependencies[0].flagKey",
  ],
  [
    "a bad group operator",
    (f) => {
      f.stages[0].rules[0].groupsOperator = "XOR" as never;
    },
    "stages[0].rules[0].groupsOperator",
  ],
];

const others = () => [flag({ key: "other" }), flag({ key: "loop", dependencies: [{ flagKey: "bad" }] })];

describe("compileStore rejects invalid snapshots", () => {
  test.each(cases)("%s is rejected, naming the flag and the field", (_, breakIt, field) => {
    const f = base();
    breakIt(f);
    let error: unknown;
    try {
      compileStore(snapshot([...others(), f]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).problems).toContainEqual(expect.objectContaining({ flagKey: "bad", field }));
    expect(validateFlag(f, others())).toContainEqual(expect.objectContaining({ flagKey: "bad", field }));
  });

  test("a duplicate flag key is rejected", () => {
    expect(() => compileStore(snapshot([flag({ key: "twice" }), flag({ key: "twice" })]))).toThrow(
      expect.objectContaining({ flagKey: "twice", field: "key" }),
    );
  });

  test("the error message names the flag and the field", () => {
    const f = base();
    f.stages[0].rules[0].rollout = 101;
    expect(() => compileStore({ version: 1, environments: ENVIRONMENTS, flags: [f] })).toThrow(
      'invalid flag "bad", stages[0].rules[0].rollout: must be a number in 0..100',
    );
  });

  test("a valid flag has no problems", () => {
    expect(validateFlag(base())).toEqual([]);
    expect(validateFlag(flag({ key: "b", dependencies: [{ flagKey: "other", variant: "off" }] }), others())).toEqual(
      [],
    );
  });

  test("validateFlag without the other flags does not check dependencies", () => {
    expect(validateFlag(flag({ key: "b", dependencies: [{ flagKey: "ghost" }] }))).toEqual([]);
  });
});
