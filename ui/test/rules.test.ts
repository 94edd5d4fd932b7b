import { describe, expect, test } from "bun:test";
import { OPERATORS } from "@fluxgate/engine";
import { SINGLE_OPERAND, STRING_OPERATORS } from "../../engine/src/operators.ts";
import { rulesToApi } from "../src/models/feature-api.ts";
import {
  cleanRules,
  type FlagShape,
  move,
  newCondition,
  newRule,
  OPERATOR_INFO,
  type RuleDraft,
  ruleProblems,
  sharePercent,
} from "../src/models/rules.ts";

const booleanFlag: FlagShape = { key: "checkout", valueType: "boolean", variants: [] };
const noContexts = () => [];

function rule(patch: Partial<RuleDraft> = {}, condition = {}): RuleDraft {
  const r = newRule();
  return {
    ...r,
    groups: [
      { operator: "AND", conditions: [{ ...newCondition(), contextKey: "country", values: ["NL"], ...condition }] },
    ],
    ...patch,
  };
}

describe("operator vocabulary", () => {
  test("the editor offers every engine operator", () => {
    expect(Object.keys(OPERATOR_INFO).sort()).toEqual([...OPERATORS].sort());
  });
  test("single-value and ignore-case operators agree with the engine", () => {
    for (const op of OPERATORS) {
      expect([op, OPERATOR_INFO[op].single]).toEqual([op, SINGLE_OPERAND.has(op)]);
      expect([op, OPERATOR_INFO[op].text]).toEqual([op, STRING_OPERATORS.has(op)]);
    }
  });
});

describe("rule validation before saving", () => {
  test("a valid percentage rule has no problems", () => {
    expect(ruleProblems(booleanFlag, [rule({ rollout: 12.345 })], noContexts)).toEqual({});
  });

  const cases: [string, RuleDraft, string][] = [
    ["rollout above 100", rule({ rollout: 101 }), "[0].rollout"],
    ["rollout with 4 decimals", rule({ rollout: 1.2345 }), "[0].rollout"],
    ["an empty attribute", rule({}, { contextKey: " " }), "[0].groups[0].conditions[0].contextKey"],
    ["no values", rule({}, { values: ["", " "] }), "[0].groups[0].conditions[0].values"],
    ["an invalid regex", rule({}, { operator: "regex", values: ["(unclosed"] }), "[0].groups[0].conditions[0].values"],
    [
      "a number operator with text",
      rule({}, { operator: "num_gt", values: ["ten"] }),
      "[0].groups[0].conditions[0].values",
    ],
    ["a bad semver", rule({}, { operator: "semver_gte", values: ["1.x"] }), "[0].groups[0].conditions[0].values"],
    ["a bad CIDR", rule({}, { operator: "ip_in_cidr", values: ["10.0.0.0/99"] }), "[0].groups[0].conditions[0].values"],
    ["an unknown variant", rule({ serve: { kind: "variant", variant: "blue" } }), "[0].serve.variant"],
    [
      "a split totalling 0",
      rule({ serve: { kind: "split", weights: [{ variant: "on", weight: 0 }] } }),
      "[0].serve.weights",
    ],
  ];
  for (const [name, r, path] of cases) {
    test(`${name} is reported at ${path}`, () => {
      expect(Object.keys(ruleProblems(booleanFlag, [r], noContexts))).toContain(path);
    });
  }

  test("values from a context are checked as the context's values", () => {
    const r = rule({}, { operator: "ip_in_cidr", values: [], contextId: "ctx-1" });
    expect(ruleProblems(booleanFlag, [r], () => ["10.0.0.0/8"])).toEqual({});
    expect(Object.keys(ruleProblems(booleanFlag, [r], () => ["nope"]))).toContain("[0].groups[0].conditions[0].values");
  });
});

describe("editing helpers", () => {
  test("move reorders and clamps", () => {
    expect(move(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(move(["a", "b", "c"], 2, -5)).toEqual(["c", "a", "b"]);
    expect(move(["a", "b"], 5, 0)).toEqual(["a", "b"]);
  });
  test("typed values are trimmed and blank lines dropped", () => {
    const [r] = cleanRules([rule({}, { contextKey: " country ", values: [" NL", "", "BE "] })]);
    expect(r.groups[0].conditions[0]).toMatchObject({ contextKey: "country", values: ["NL", "BE"] });
  });
  test("split shares are percentages with 3 decimals", () => {
    expect(sharePercent(1, 3)).toBe(33.333);
    expect(sharePercent(0, 0)).toBe(0);
  });
  test("the API input lists rules in priority order with the API's serve kinds", () => {
    const input = rulesToApi([
      rule({ rollout: 10 }),
      rule({ serve: { kind: "split", weights: [{ variant: "on", weight: 1 }] } }),
      rule({ serve: { kind: "variant", variant: "off" } }),
    ]);
    expect(input.map((r) => [r.rollout, r.serve])).toEqual([
      [10, { kind: "ON" }],
      [100, { kind: "SPLIT", weights: [{ variant: "on", weight: 1 }] }],
      [100, { kind: "VARIANT", variant: "off" }],
    ]);
    expect(input[0]).not.toHaveProperty("id");
    expect(input[0].groups[0].conditions[0]).toEqual({
      contextKey: "country",
      operator: "in",
      values: ["NL"],
      contextId: null,
      negate: false,
      caseInsensitive: false,
    });
  });
});
