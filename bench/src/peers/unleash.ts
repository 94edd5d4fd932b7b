/** The benchmark flag in unleash-client: flexibleRollout 30 % with a country IN constraint, bootstrapped offline. */
import { InMemStorageProvider, Unleash } from "unleash-client";
import { FLAG_KEY, ROLLOUT_PERCENT, TARGET_COUNTRIES, type User } from "./scenario.ts";

/** An offline Unleash client (no fetch: refreshInterval 0; no metrics) and a per-user check. */
export async function unleashPeer(): Promise<{
  check: (ctx: unknown) => boolean;
  context: (u: User) => unknown;
  close: () => void;
}> {
  const unleash = new Unleash({
    appName: "fluxgate-bench",
    url: "http://127.0.0.1:9/api/", // never contacted: refreshInterval 0 disables fetching
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    skipInstanceCountWarning: true,
    bootstrap: {
      data: [
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
              constraints: [
                { contextName: "country", operator: "IN" as never, values: TARGET_COUNTRIES, inverted: false },
              ], // the enum is not exported
            },
          ],
        },
      ],
    },
  });
  unleash.on("error", () => {});
  await new Promise<void>((resolve) => (unleash.isSynchronized() ? resolve() : unleash.once("synchronized", resolve)));
  return {
    check: (ctx) => unleash.isEnabled(FLAG_KEY, ctx as never),
    context: (u) => ({ userId: u.id, properties: { country: u.country } }),
    close: () => unleash.destroy(),
  };
}
