/** The benchmark flag in @openfeature/flagd-core: `in` on country, then fractional 30/70. */
import { FlagdCore } from "@openfeature/flagd-core";
import { FLAG_KEY, ROLLOUT_PERCENT, TARGET_COUNTRIES, type User } from "./scenario.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export function flagdPeer(): { check: (ctx: unknown) => boolean; context: (u: User) => unknown } {
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(
    JSON.stringify({
      flags: {
        [FLAG_KEY]: {
          state: "ENABLED",
          variants: { on: true, off: false },
          defaultVariant: "off",
          targeting: {
            if: [
              { in: [{ var: "country" }, TARGET_COUNTRIES] },
              {
                fractional: [
                  ["on", ROLLOUT_PERCENT],
                  ["off", 100 - ROLLOUT_PERCENT],
                ],
              },
              "off",
            ],
          },
        },
      },
    }),
  );
  return {
    check: (ctx) => core.resolveBooleanEvaluation(FLAG_KEY, false, ctx as never, silent).value,
    context: (u) => ({ targetingKey: u.id, country: u.country }),
  };
}
