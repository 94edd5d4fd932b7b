/** A realistic large snapshot for the compile-time and memory figures. */
import type { Flag, Snapshot } from "@fluxgate/engine";
import { OTHER_COUNTRIES, TARGET_COUNTRIES } from "./scenario.ts";

const ENVIRONMENTS = [
  { id: "env-dev", name: "development" },
  { id: "env-stg", name: "staging" },
  { id: "env-prod", name: "production" },
];

/** `count` flags, each with a stage in 3 environments holding 0–3 rules of 1–3 conditions. */
export function manySnapshot(count: number): Snapshot {
  const flags: Flag[] = [];
  for (let i = 0; i < count; i++) {
    const variantFlag = i % 3 === 0;
    const variants = variantFlag ? ["a", "b", "c"].map((key) => ({ key, value: `${key}-${i}` })) : [];
    flags.push({
      key: `flag-${i}`,
      id: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      salt: `flag-${i}`,
      valueType: variantFlag ? "string" : "boolean",
      variants,
      defaultVariant: variantFlag ? "a" : null,
      killed: false,
      dependencies: i % 10 === 9 ? [{ flagKey: `flag-${i - 1}` }] : [],
      stages: ENVIRONMENTS.map((env, e) => ({
        environmentId: env.id,
        deployed: true,
        rules: Array.from({ length: (i + e) % 4 }, (_, r) => ({
          id: `rule-${i}-${e}-${r}`,
          groupsOperator: "AND" as const,
          groups: [
            {
              operator: "AND" as const,
              conditions: [
                { contextKey: "country", operator: "in" as const, values: r % 2 ? TARGET_COUNTRIES : OTHER_COUNTRIES },
                ...(r > 0
                  ? [{ contextKey: "email", operator: "ends_with" as const, values: [`@team${i % 50}.example`] }]
                  : []),
                ...(r > 1 ? [{ contextKey: "appVersion", operator: "semver_gte" as const, values: ["2.3.0"] }] : []),
              ],
            },
          ],
          rollout: (i * 37 + r * 11) % 101,
          serve: variantFlag
            ? { kind: "split" as const, weights: variants.map((v) => ({ variant: v.key, weight: 1 })) }
            : { kind: "on" as const },
        })),
      })),
    });
  }
  return { version: 1, environments: ENVIRONMENTS, flags };
}
