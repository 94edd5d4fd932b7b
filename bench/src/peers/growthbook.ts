/** The benchmark flag in @growthbook/growthbook: a forced rule with coverage 0.3 and a `$in` condition. */
import { GrowthBookClient } from "@growthbook/growthbook";
import { FLAG_KEY, ROLLOUT_PERCENT, TARGET_COUNTRIES, type User } from "./scenario.ts";

export function growthbookPeer(): { check: (ctx: unknown) => boolean; context: (u: User) => unknown } {
  const client = new GrowthBookClient().initSync({
    payload: {
      features: {
        [FLAG_KEY]: {
          defaultValue: false,
          rules: [
            {
              condition: { country: { $in: TARGET_COUNTRIES } },
              force: true,
              coverage: ROLLOUT_PERCENT / 100,
              hashAttribute: "id",
            },
          ],
        },
      },
    },
  });
  return {
    check: (ctx) => client.isOn(FLAG_KEY, ctx as never),
    context: (u) => ({ attributes: { id: u.id, country: u.country } }),
  };
}
