import { describe, expect, test } from "bun:test";
import { compileStore, type EvaluationContext, evaluate, type Flag } from "../src/index.ts";
import { cond, flag, rule, snapshot } from "./helpers.ts";

const every: Flag = flag({ key: "all-ops", salt: "s" }, [
  rule({
    id: "a",
    rollout: 50,
    groupsOperator: "OR",
    groups: [
      {
        operator: "OR",
        conditions: [
          cond("x", "in", ["a"], { caseInsensitive: true }),
          cond("x", "not_in", ["a"], { negate: true }),
          cond("x", "contains", ["é"]),
          cond("x", "regex", ["^(a+)+$"]),
          cond("x", "num_gte", ["1"]),
          cond("x", "semver_lt", ["1.0.0"]),
          cond("x", "date_after", ["2020-01-01"]),
          cond("x", "ip_in_cidr", ["::/0", "0.0.0.0/0"]),
        ],
      },
    ],
  }),
  rule({
    id: "b",
    serve: {
      kind: "split",
      weights: [
        { variant: "on", weight: 1 },
        { variant: "off", weight: 1 },
      ],
    },
  }),
]);

const huge = "x".repeat(1_000_000);
const values: unknown[] = [
  undefined,
  null,
  "",
  huge,
  "ünï😀\ud800",
  0,
  -0,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  {},
  [],
  ["a"],
  { toString: () => "a" },
  Symbol("s"),
  10n,
  () => "a",
  new Date(0),
];
const contexts: unknown[] = [
  null,
  undefined,
  "text",
  42,
  [],
  [{ key: "x", value: "a" }],
  Object.create(null),
  ...values.flatMap((v) => [{ x: v }, { targetingKey: v, x: v }, { userId: v, x: "a" }]),
];

describe("evaluate on garbage contexts", () => {
  test.each(contexts.map((c, i) => [i, c]))("context #%d evaluates without throwing, on both evaluators", (_, ctx) => {
    const store = compileStore(snapshot([every]));
    const reference = evaluate(every, "env-prod", ctx as EvaluationContext);
    expect(store.evaluate("all-ops", "env-prod", ctx as EvaluationContext)).toEqual(reference);
    expect(["TARGETING_MATCH", "SPLIT", "DEFAULT"]).toContain(reference.reason);
  });

  test("the reference evaluator does not throw on a split with nothing to choose from", () => {
    const broken = {
      ...every,
      stages: [
        { environmentId: "env-prod", deployed: true, rules: [{ ...rule(), serve: { kind: "split", weights: [] } }] },
      ],
    } as unknown as Flag;
    expect(evaluate(broken, "env-prod", { targetingKey: "u" }).reason).toBe("SPLIT");
  });
});
