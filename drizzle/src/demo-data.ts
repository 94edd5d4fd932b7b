/** What `seedDemo` creates: a small team that shows each kind of flag on first start. */

export const DEMO_TEAM = { name: "Demo", description: "Seeded on first start; safe to delete." };

/** In pipeline order; each environment's stage comes after the previous one. */
export const DEMO_ENVIRONMENTS = [
  { name: "development", requiresApproval: false },
  { name: "staging", requiresApproval: false },
  { name: "production", requiresApproval: true },
] as const;

export type DemoEnvironment = (typeof DEMO_ENVIRONMENTS)[number]["name"];

export const DEMO_CONTEXT = {
  key: "beta-countries",
  description: "Countries in the beta programme",
  values: ["CA", "NZ", "SE"],
};

export const DEMO_CLIENT = { name: "demo-backend", description: "Backend client for the demo edge" };

/** A rule as stored in `stage_rules`: `groups` is the engine's `ConditionGroup[]`, `serve` its `Serve`. */
export interface DemoRule {
  groups: unknown[];
  rollout: string;
  serve: unknown;
  /** The rule takes its values from the demo context. */
  usesContext: boolean;
}

export interface DemoFeature {
  key: string;
  description: string;
  featureType: "Simple" | "Contextual";
  valueType: "boolean" | "string";
  variants?: { key: string; value: string; weight: number }[];
  defaultVariant?: string;
  offVariant?: string;
  deployedIn: DemoEnvironment[];
  rule?: (contextId: string) => DemoRule;
  dependsOn?: string;
}

const betaCountries = (contextId: string): DemoRule => ({
  groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: [], contextId }] }],
  rollout: "30",
  serve: { kind: "on" },
  usesContext: true,
});

const colourSplit = (): DemoRule => ({
  groups: [],
  rollout: "100",
  serve: {
    kind: "split",
    weights: [
      { variant: "blue", weight: 50 },
      { variant: "green", weight: 30 },
      { variant: "orange", weight: 20 },
    ],
  },
  usesContext: false,
});

export const DEMO_FEATURES: DemoFeature[] = [
  {
    key: "new-checkout",
    description: "The redesigned checkout; on for everyone in development",
    featureType: "Simple",
    valueType: "boolean",
    deployedIn: ["development"],
  },
  {
    key: "beta-banner",
    description: "Banner for 30 % of users in beta countries",
    featureType: "Contextual",
    valueType: "boolean",
    deployedIn: ["development", "staging"],
    rule: betaCountries,
  },
  {
    key: "checkout-button-colour",
    description: "Colour of the pay button, split between three variants",
    featureType: "Simple",
    valueType: "string",
    variants: [
      { key: "blue", value: "#1f6feb", weight: 50 },
      { key: "green", value: "#2da44e", weight: 30 },
      { key: "orange", value: "#fb8500", weight: 20 },
    ],
    defaultVariant: "blue",
    offVariant: "blue",
    deployedIn: ["development"],
    rule: colourSplit,
  },
  {
    key: "express-shipping",
    description: "Express shipping option; only where new-checkout is on",
    featureType: "Simple",
    valueType: "boolean",
    deployedIn: ["development"],
    dependsOn: "new-checkout",
  },
];
