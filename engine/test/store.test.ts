import { describe, expect, test } from "bun:test";
import { compileStore, type Flag } from "../src/index.ts";
import { cond, ENVIRONMENTS, flag, rule, snapshot, variantFlag } from "./helpers.ts";

const json: Flag = {
  ...variantFlag({ key: "layout", id: "id-layout", sticky: true }),
  valueType: "json",
  variants: [
    { key: "grid", value: { columns: [3, 4] } },
    { key: "list", value: { columns: [1] } },
  ],
  defaultVariant: "grid",
};
const flags = [
  flag({ key: "zeta" }, [rule({ conditions: [cond("country", "in", ["US"])] })]),
  json,
  flag({ key: "alpha" }),
];

describe("compiled store", () => {
  const store = compileStore(snapshot(flags, 42));

  test("knows its version, its flags in key order, and each flag's id, type and sticky bit", () => {
    expect(store.version).toBe(42);
    expect(store.flagCount).toBe(3);
    expect(store.keys()).toEqual(["alpha", "layout", "zeta"]);
    expect(store.has("layout")).toBe(true);
    expect(store.has("nope")).toBe(false);
    expect(store.info("layout")).toEqual({
      key: "layout",
      id: "id-layout",
      valueType: "json",
      sticky: true,
      salt: "layout",
    });
    expect(store.info("nope")).toBeUndefined();
  });

  test("resolves an environment by id or by name", () => {
    expect(store.environmentId("production")).toBe("env-prod");
    expect(store.environmentId("env-stg")).toBe("env-stg");
    expect(store.environmentId("mars")).toBeUndefined();
    expect(store.environments).toEqual(ENVIRONMENTS);
  });

  test("an unknown flag gives reason ERROR with errorCode FLAG_NOT_FOUND", () => {
    expect(store.evaluate("nope", "env-prod", {})).toEqual({
      enabled: false,
      value: null,
      variant: "",
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
    });
  });

  test("evaluates every flag at once, in key order", () => {
    const all = store.evaluateAll("production", { country: "US" });
    expect(all.map((e) => [e.key, e.result.enabled])).toEqual([
      ["alpha", true],
      ["layout", true],
      ["zeta", true],
    ]);
  });

  test("returns shared frozen results, so a hot path allocates nothing", () => {
    const a = store.evaluate("zeta", "env-prod", { country: "US", targetingKey: "u1" });
    const b = store.evaluate("zeta", "env-prod", { country: "US", targetingKey: "u2" });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    const value = store.evaluate("layout", "env-prod", {}).value as { columns: number[] };
    expect(Object.isFrozen(value.columns)).toBe(true);
  });

  test("changing the snapshot after compiling does not change the store", () => {
    const mine = [variantFlag({ key: "v" }, [rule({ conditions: [cond("email", "ends_with", [".com"])] })]), json];
    const s = compileStore(snapshot(mine));
    mine[0].stages[0].rules[0].groups[0].conditions[0].values[0] = ".org";
    (json.variants[0].value as { columns: number[] }).columns.push(5);
    expect(s.evaluate("v", "env-prod", { email: "a@b.com" }).enabled).toBe(true);
    expect(s.evaluate("layout", "env-prod", {}).value).toEqual({ columns: [3, 4] });
  });

  test("looks up any key text as a key: __proto__, Object.prototype names, numerals; non-strings are unknown", () => {
    const keys = ["__proto__", "constructor", "toString", "hasOwnProperty", "0", "42", "-1", "1.5", ""];
    const odd = keys.filter(Boolean).map((key) => flag({ key, salt: `s-${key}` }));
    const s = compileStore({
      version: 1,
      environments: [{ id: "__proto__", name: "constructor" }, ...ENVIRONMENTS],
      flags: odd.map((f) => ({ ...f, stages: [{ ...f.stages[0], environmentId: "__proto__" }] })),
    });
    for (const key of keys.filter(Boolean)) {
      expect({ key, reason: s.evaluate(key, "__proto__", {}).reason }).toEqual({ key, reason: "STATIC" });
      expect({ key, reason: s.evaluate(key, "constructor", {}).reason }).toEqual({ key, reason: "STATIC" });
      expect({ key, reason: s.evaluate(key, "toString", {}).reason }).toEqual({ key, reason: "DISABLED" });
      expect(s.has(key)).toBe(true);
    }
    expect(s.environmentId("constructor")).toBe("__proto__");
    expect(s.environmentId("valueOf")).toBeUndefined();
    for (const key of ["", "valueOf", "1", "42.0", "__defineGetter__"]) {
      expect(s.evaluate(key, "__proto__", {}).errorCode).toBe("FLAG_NOT_FOUND");
      expect(s.has(key)).toBe(false);
      expect(s.info(key)).toBeUndefined();
    }
    for (const key of [42, -1, null, undefined, Symbol("0"), { toString: () => "0" }] as unknown as string[]) {
      expect(s.evaluate(key, "__proto__", {}).errorCode).toBe("FLAG_NOT_FOUND");
      expect(s.has(key)).toBe(false);
    }
    const weird = [42, null, { toString: () => "__proto__" }] as unknown as string[];
    for (const environment of weird) expect(s.evaluate("0", environment, {}).reason).toBe("DISABLED");
  });

  test("reads the clock only for flags with a scheduled kill, and honours an explicit now", () => {
    const s = compileStore(snapshot([flag({ key: "k", killAt: Date.now() + 60_000 })]));
    expect(s.evaluate("k", "env-prod", {}).reason).toBe("STATIC");
    expect(s.evaluate("k", "env-prod", {}, Date.now() + 120_000).reason).toBe("DISABLED");
  });
});
