/**
 * The benchmark flag every HTTP scenario asks about — `checkout-v2`: on for 30 % of users in 20 countries — as a
 * FluxGate flag (in a snapshot of N flags), as an Unleash feature (for the proxy), and the requests and expected
 * answers for a fixed set of users. The same flag as the engine bench (`peers/scenario.ts`).
 */
import { compileStore, type Flag, type Snapshot } from "@fluxgate/engine";
import { manySnapshot } from "../peers/many-flags.ts";
import { FLAG_KEY, makeUsers, ROLLOUT_PERCENT, TARGET_COUNTRIES, type User } from "../peers/scenario.ts";

export { FLAG_KEY, ROLLOUT_PERCENT, type User };
export const ENVIRONMENT = "production";
/** Users the load cycles through (a power of two); half of them in targeted countries. */
export const USER_COUNT = 1024;

export function benchUsers(): User[] {
  return makeUsers(USER_COUNT);
}

export function benchFlag(): Flag {
  return {
    key: FLAG_KEY,
    salt: FLAG_KEY,
    valueType: "boolean",
    variants: [],
    killed: false,
    dependencies: [],
    stages: [
      {
        environmentId: "env-prod",
        deployed: true,
        rules: [
          {
            id: "countries",
            groupsOperator: "AND",
            groups: [
              { operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: TARGET_COUNTRIES }] },
            ],
            rollout: ROLLOUT_PERCENT,
            serve: { kind: "on" },
          },
        ],
      },
    ],
  };
}

/** `count` flags in 3 environments: the benchmark flag and `count - 1` realistic others. */
export function snapshotOf(count: number): Snapshot {
  const others = manySnapshot(Math.max(0, count - 1));
  return { ...others, teamId: "bench-team", flags: [benchFlag(), ...others.flags] };
}

/** The engine's answer for each user, from the same snapshot the edge serves. */
export function expectedAnswers(snapshot: Snapshot, users: readonly User[]): boolean[] {
  const store = compileStore(snapshot);
  return users.map((u) => store.evaluate(FLAG_KEY, ENVIRONMENT, { userId: u.id, country: u.country }).enabled);
}

/** `POST /evaluate` bodies, as the edge's clients send them. */
export function evaluateBodies(users: readonly User[]): string[] {
  return users.map((u) =>
    JSON.stringify({
      feature_key: FLAG_KEY,
      environment_id: ENVIRONMENT,
      context: [
        { key: "userId", value: u.id },
        { key: "country", value: u.country },
      ],
    }),
  );
}

/** `POST /proxy` bodies for the Unleash Proxy: the one toggle, the same user and country. */
export function unleashProxyBodies(users: readonly User[]): string[] {
  return users.map((u) =>
    JSON.stringify({ toggles: [FLAG_KEY], context: { userId: u.id, properties: { country: u.country } } }),
  );
}

/** The flag as the Unleash API serves it (`GET /api/client/features`): flexibleRollout 30 % + country IN. */
export function unleashFeatures(): unknown {
  return {
    version: 2,
    features: [
      {
        name: FLAG_KEY,
        enabled: true,
        project: "default",
        type: "release",
        stale: false,
        impressionData: false,
        variants: [],
        strategies: [
          {
            name: "flexibleRollout",
            parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: "userId", groupId: FLAG_KEY },
            constraints: [{ contextName: "country", operator: "IN", values: TARGET_COUNTRIES, inverted: false }],
          },
        ],
      },
    ],
  };
}
