/** A seeded generator of valid random flags and messy contexts, for the property test and the bench. */
import type { Condition, EvaluationContext, Flag, Operator, Rule, Serve, Stage } from "../src/index.ts";

export type Random = () => number;

/** A small fast seeded PRNG (mulberry32). */
export function seeded(seed: number): Random {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const chance = (r: Random, p: number) => r() < p;

// Operands by operator, and the attribute values contexts draw from (matching and not).
const OPERANDS: Record<Operator, string[]> = {
  in: ["US", "CA", "de", "42", "true", "É"],
  not_in: ["US", "CA", "de", "42"],
  equals: ["beta", "US", "42", "Beta"],
  contains: ["@acme", "et", "é"],
  starts_with: ["be", "U", "4"],
  ends_with: [".com", "a", "2"],
  regex: ["^b", "\\d{2}$", "^(us|ca)$", "é"],
  num_eq: ["42", "3.5", "-1"],
  num_lt: ["42", "3.5", "1e3"],
  num_lte: ["42", "0"],
  num_gt: ["42", "-1"],
  num_gte: ["42", "3.5"],
  semver_eq: ["1.2.3", "2.0.0-rc.1"],
  semver_lt: ["1.2.3", "2.0.0"],
  semver_lte: ["1.10.0"],
  semver_gt: ["1.2.3", "1.0.0-alpha"],
  semver_gte: ["2.0.0-rc.1"],
  date_before: ["2025-01-01", "2024-06-01T12:00:00Z"],
  date_after: ["2025-01-01", "2024-06-01T12:00:00+02:00"],
  ip_in_cidr: ["10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32", "::ffff:0:0/96"],
};
const KEYS = ["country", "plan", "age", "version", "ip", "signup", "email"];
const ATTRIBUTES: unknown[] = [
  "US",
  "us",
  "CA",
  "de",
  "DE",
  "UK",
  "É",
  "é",
  "beta",
  "Beta",
  "42",
  42,
  3.5,
  -1,
  0,
  1000,
  "1e3",
  true,
  false,
  "1.2.3",
  "v1.2.3",
  "2.0.0-rc.1",
  "1.10.0",
  "1.0.0-alpha.1",
  "1.2",
  "2024-12-31",
  "2025-06-01T00:00:00Z",
  1735689600000,
  "10.1.2.3",
  "192.168.1.9",
  "2001:db8::1",
  "::ffff:10.0.0.1",
  "8.8.8.8",
  "jo@acme.com",
  "",
  null,
  undefined,
  {},
  [],
  "not a date",
];

function condition(r: Random): Condition {
  const operator = pick(r, Object.keys(OPERANDS) as Operator[]);
  const pool = OPERANDS[operator];
  const single = !["in", "not_in", "contains", "starts_with", "ends_with", "ip_in_cidr"].includes(operator);
  const values = single ? [pick(r, pool)] : pool.filter(() => chance(r, 0.5));
  return { contextKey: pick(r, KEYS), operator, values, negate: chance(r, 0.2), caseInsensitive: chance(r, 0.2) };
}

function serve(r: Random, variants: string[]): Serve {
  const kind = r();
  if (kind < 0.4) return { kind: "on" };
  if (kind < 0.7) return { kind: "variant", variant: pick(r, variants) };
  const weights = variants.map((variant) => ({ variant, weight: Math.floor(r() * 4) * pick(r, [1, 7, 25_000]) }));
  if (weights.every((w) => w.weight === 0)) weights[0].weight = 1;
  return { kind: "split", weights };
}

function randomRule(r: Random, id: number, variants: string[]): Rule {
  const groups = Array.from({ length: Math.floor(r() * 3) }, () => ({
    operator: pick(r, ["AND", "OR"] as const),
    conditions: Array.from({ length: 1 + Math.floor(r() * 3) }, () => condition(r)),
  }));
  const rollout = pick(r, [0, 100, 100, 50, Math.floor(r() * 100_001) / 1000]);
  return {
    id: `rule-${id}`,
    groupsOperator: pick(r, ["AND", "OR"] as const),
    groups,
    rollout,
    serve: serve(r, variants),
  };
}

function randomStage(r: Random, environmentId: string, variants: string[]): Stage {
  const rules = Array.from({ length: Math.floor(r() * 4) }, (_, i) => randomRule(r, i, variants));
  return { environmentId, deployed: chance(r, 0.85), bucketingKey: chance(r, 0.2) ? "accountId" : null, rules };
}

/** `count` valid flags; a flag depends only on earlier ones, so there are no cycles. */
export function randomFlags(r: Random, count: number, now: number): Flag[] {
  const flags: Flag[] = [];
  for (let i = 0; i < count; i++) {
    const boolean = chance(r, 0.5);
    const variants = boolean ? [] : ["a", "b", "c"].map((key, j) => ({ key, value: `${key}-value`, weight: j }));
    const keys = boolean ? ["on", "off"] : variants.map((v) => v.key);
    const dependencies = flags
      .filter(() => chance(r, 0.03))
      .slice(0, 2)
      .map((d) => ({ flagKey: d.key, variant: chance(r, 0.3) ? (d.valueType === "boolean" ? "on" : "b") : null }));
    const environments = ["env-prod", "env-stg"].filter(() => chance(r, 0.8));
    flags.push({
      key: `flag-${i}`,
      salt: chance(r, 0.2) ? `salt-${i}` : `flag-${i}`,
      valueType: boolean ? "boolean" : "string",
      variants,
      defaultVariant: boolean ? null : pick(r, keys),
      offVariant: boolean || chance(r, 0.5) ? null : pick(r, keys),
      killed: chance(r, 0.05),
      killAt: chance(r, 0.1) ? now + (r() - 0.5) * 1000 : null,
      dependencies,
      stages: environments.map((e) => randomStage(r, e, keys)),
    });
  }
  return flags;
}

/** A context with some of the targeted keys, sticky values of several types, and junk. */
export function randomContext(r: Random): EvaluationContext {
  const ctx: EvaluationContext = {};
  for (const key of KEYS) if (chance(r, 0.6)) ctx[key] = pick(r, ATTRIBUTES);
  if (chance(r, 0.85)) ctx.targetingKey = pick(r, [`user-${Math.floor(r() * 1e6)}`, "", 12345, "ü🙂"]);
  if (chance(r, 0.3)) ctx.userId = `uid-${Math.floor(r() * 1000)}`;
  if (chance(r, 0.3)) ctx.accountId = pick(r, [`acct-${Math.floor(r() * 100)}`, true, null]);
  return ctx;
}
