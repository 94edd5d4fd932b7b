import { describe, expect, test } from "bun:test";
import type { Condition, EvaluationContext, Operator } from "../src/index.ts";
import { both, cond, flag, rule } from "./helpers.ts";

/** Whether a single-condition rule lets the user in, checked on both evaluators. */
function holds(condition: Condition, ctx: EvaluationContext): boolean {
  return both([flag({ key: "f" }, [rule({ conditions: [condition] })])], ctx).enabled;
}

type Row = [Operator, string[], unknown, boolean];

// [operator, operands, attribute value, expected]
const rows: Row[] = [
  ["in", ["US", "CA"], "US", true],
  ["in", ["US", "CA"], "UK", false],
  ["in", ["42"], 42, true],
  ["in", ["true"], true, true],
  ["in", [], "US", false],
  ["not_in", ["US", "CA"], "UK", true],
  ["not_in", ["US", "CA"], "CA", false],
  ["equals", ["beta"], "beta", true],
  ["equals", ["beta"], "Beta", false],
  ["equals", [""], "", true],
  ["contains", ["@acme.", "@corp."], "jo@acme.com", true],
  ["contains", ["@acme."], "jo@example.com", false],
  ["starts_with", ["beta-"], "beta-7", true],
  ["starts_with", ["beta-"], "alpha-7", false],
  ["ends_with", [".de", ".at"], "shop.at", true],
  ["ends_with", [".de"], "shop.ch", false],
  ["regex", ["^user-\\d+$"], "user-12", true],
  ["regex", ["^user-\\d+$"], "user-x", false],
  ["num_eq", ["3"], "3.0", true],
  ["num_eq", ["3"], 3, true],
  ["num_lt", ["18"], 17, true],
  ["num_lt", ["18"], "18", false],
  ["num_lte", ["18"], "18", true],
  ["num_gt", ["1e3"], 1001, true],
  ["num_gt", ["1e3"], "999", false],
  ["num_gte", ["-2.5"], "-2.5", true],
  ["semver_eq", ["1.2.3"], "v1.2.3+build.9", true],
  ["semver_lt", ["2.0.0"], "2.0.0-rc.1", true],
  ["semver_lt", ["2.0.0-rc.2"], "2.0.0-rc.10", false],
  ["semver_lte", ["1.10.0"], "1.9.9", true],
  ["semver_gt", ["1.0.0-alpha"], "1.0.0-alpha.1", true],
  ["semver_gt", ["1.0.0"], "1.0.0", false],
  ["semver_gte", ["1.0.0-beta.11"], "1.0.0-rc.1", true],
  ["date_before", ["2025-01-01"], "2024-12-31T23:59:59Z", true],
  ["date_before", ["2025-01-01"], "2025-01-01T00:00:00+01:00", true],
  ["date_before", ["2025-01-01"], "2025-01-01", false],
  ["date_after", ["2025-01-01T00:00:00Z"], 1735689600001, true],
  ["date_after", ["2025-01-01T00:00:00Z"], "2024-06-01", false],
  ["ip_in_cidr", ["10.0.0.0/8", "192.168.1.0/24"], "192.168.1.77", true],
  ["ip_in_cidr", ["10.0.0.0/8"], "11.0.0.1", false],
  ["ip_in_cidr", ["10.0.0.0/8"], "::ffff:10.1.2.3", true],
  ["ip_in_cidr", ["2001:db8::/32"], "2001:db8:85a3::8a2e:370:7334", true],
  ["ip_in_cidr", ["2001:db8::/32"], "2001:db9::1", false],
  ["ip_in_cidr", ["2001:db8::1"], "2001:0db8:0:0:0:0:0:1", true],
  ["ip_in_cidr", ["0.0.0.0/0"], "203.0.113.9", true],
  ["ip_in_cidr", ["::/0"], "203.0.113.9", false],
];

describe("operators", () => {
  test.each(rows)("%s %j on %j holds: %p", (operator, values, value, expected) => {
    expect(holds(cond("attr", operator, values), { targetingKey: "u1", attr: value })).toBe(expected);
  });

  test.each(rows)("negated %s %j on %j holds: the opposite of %p", (operator, values, value, expected) => {
    expect(holds(cond("attr", operator, values, { negate: true }), { targetingKey: "u1", attr: value })).toBe(
      !expected,
    );
  });
});

// [operator, operands, attribute value, expected with caseInsensitive]
const caseRows: Row[] = [
  ["in", ["us", "CA"], "US", true],
  ["not_in", ["us"], "US", false],
  ["equals", ["BETA"], "beta", true],
  ["contains", ["ACME"], "jo@acme.com", true],
  ["starts_with", ["Beta-"], "BETA-7", true],
  ["ends_with", [".DE"], "shop.de", true],
  ["regex", ["^user-[a-z]+$"], "USER-ABC", true],
  ["in", ["straße"], "STRASSE", false],
];

describe("caseInsensitive", () => {
  test.each(caseRows)("%s %j on %j ignoring case holds: %p", (operator, values, value, expected) => {
    const c = cond("attr", operator, values, { caseInsensitive: true });
    expect(holds(c, { targetingKey: "u1", attr: value })).toBe(expected);
  });

  test("without caseInsensitive, case matters", () => {
    expect(holds(cond("attr", "in", ["us"]), { attr: "US" })).toBe(false);
  });
});

// Attributes an operator cannot read: the condition is false, and stays false when negated.
const unreadable: [Operator, string[], unknown][] = [
  ["num_lt", ["10"], "ten"],
  ["num_lt", ["10"], ""],
  ["num_lt", ["10"], "0x5"],
  ["num_gt", ["10"], "1e999"],
  ["num_eq", ["1"], true],
  ["semver_gt", ["1.0.0"], "1.0"],
  ["semver_gt", ["1.0.0"], "01.0.0"],
  ["semver_lt", ["1.0.0"], 1],
  ["date_before", ["2025-01-01"], "yesterday"],
  ["date_before", ["2025-01-01"], "2024-02-30"],
  ["date_after", ["2025-01-01"], "2024-01-01T24:00:00Z"],
  ["ip_in_cidr", ["10.0.0.0/8"], "10.0.0"],
  ["ip_in_cidr", ["10.0.0.0/8"], "010.0.0.1"],
  ["ip_in_cidr", ["::/0"], "fe80::1%eth0"],
  ["ip_in_cidr", ["::/0"], "1:2:3:4:5:6:7:8:9"],
];

describe("unreadable attributes", () => {
  test.each(unreadable)("%s %j on %j does not match, negated or not", (operator, values, value) => {
    expect(holds(cond("attr", operator, values), { attr: value })).toBe(false);
    expect(holds(cond("attr", operator, values, { negate: true }), { attr: value })).toBe(false);
  });
});

// Wrapped in one-element rows so test.each does not spread the array value.
const missing: [unknown][] = [[undefined], [null], [{ nested: "US" }], [["US"]], [Number.NaN], [() => "US"]];

describe("missing attributes", () => {
  test.each(missing)("an attribute %p is missing: in and equals do not match, negated or not", (value) => {
    for (const negate of [false, true]) {
      expect(holds(cond("attr", "in", ["US"], { negate }), { attr: value })).toBe(false);
      expect(holds(cond("attr", "equals", ["US"], { negate }), { attr: value })).toBe(false);
      expect(holds(cond("attr", "num_gt", ["1"], { negate }), { attr: value })).toBe(false);
    }
  });

  test.each(missing)("an attribute %p is missing: not_in matches, negated not_in does not", (value) => {
    expect(holds(cond("attr", "not_in", ["US"]), { attr: value })).toBe(true);
    expect(holds(cond("attr", "not_in", ["US"], { negate: true }), { attr: value })).toBe(false);
  });
});
