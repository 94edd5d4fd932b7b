/** Snapshots in the engine model for edge tests: one team with a flag for each kind of answer. */
import type { Flag, Rule, Snapshot } from "@fluxgate/engine";

export const PROD = { id: "env-prod", name: "production" };
export const DEV = { id: "env-dev", name: "development" };

const countryIn = (countries: string[], rollout: number, id = "r-country"): Rule => ({
  id,
  groupsOperator: "AND",
  groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: countries }] }],
  rollout,
  serve: { kind: "on" },
});

function booleanFlag(key: string, rules: Rule[], extra: Partial<Flag> = {}): Flag {
  return {
    key,
    id: `id-${key}`,
    salt: key,
    valueType: "boolean",
    variants: [],
    killed: false,
    dependencies: [],
    stages: [
      { environmentId: PROD.id, deployed: true, rules },
      { environmentId: DEV.id, deployed: false, rules: [] },
    ],
    ...extra,
  };
}

/** The flags every edge test evaluates. */
export function teamFlags(): Flag[] {
  return [
    booleanFlag("new-checkout", [countryIn(["US", "CA"], 50)]),
    booleanFlag("static-on", []),
    booleanFlag("everyone-in-us", [countryIn(["US"], 100)]),
    booleanFlag("killed-flag", [], { killed: true }),
    booleanFlag("off-in-prod", [], {
      stages: [{ environmentId: PROD.id, deployed: false, rules: [] }],
    }),
    booleanFlag("needs-off", [], { dependencies: [{ flagKey: "off-in-prod" }] }),
    booleanFlag("sticky-rollout", [{ ...countryIn(["US"], 50, "r-sticky") }], { sticky: true }),
    {
      key: "banner-color",
      id: "id-banner-color",
      salt: "banner-color",
      valueType: "string",
      variants: [
        { key: "blue", value: "#0000ff" },
        { key: "green", value: "#00ff00" },
        { key: "red", value: "#ff0000" },
      ],
      defaultVariant: "blue",
      offVariant: "red",
      killed: false,
      dependencies: [],
      stages: [
        {
          environmentId: PROD.id,
          deployed: true,
          rules: [
            {
              id: "r-split",
              groupsOperator: "AND",
              groups: [],
              rollout: 100,
              serve: {
                kind: "split",
                weights: [
                  { variant: "blue", weight: 50 },
                  { variant: "green", weight: 50 },
                ],
              },
            },
          ],
        },
      ],
    },
  ];
}

export function teamSnapshot(version = 7, teamId = "team-a", flags: Flag[] = teamFlags()): Snapshot {
  return { version, teamId, environments: [PROD, DEV], flags };
}

/** `count` contextual flags shaped like new-checkout (for scale tests and the bench). */
export function manyFlags(count: number): Flag[] {
  return Array.from({ length: count }, (_, i) =>
    booleanFlag(`flag-${String(i).padStart(5, "0")}`, [countryIn(["US", "CA", "DE"], 30 + (i % 60))]),
  );
}
