import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileStore } from "@fluxgate/engine";
import { PROD, teamFlags, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

const snapshot = teamSnapshot();
const store = compileStore(snapshot);

/** Users the 50 % sticky rollout admits (country US), found with the engine itself. */
const admitted = ["u-1", "u-2", "u-3", "u-4", "u-5", "u-6", "u-7", "u-8"].filter(
  (userId) => store.evaluate("sticky-rollout", PROD.id, { userId, country: "US" }).enabled,
);

let edge: TestEdge;
beforeAll(async () => {
  edge = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [snapshot]));
});
afterAll(() => edge.close());

const ask = async (key: string, userId: string, country: string) =>
  (
    await edge.post("/evaluate", {
      feature_key: key,
      environment_id: PROD.id,
      context: [
        { key: "userId", value: userId },
        { key: "country", value: country },
      ],
    })
  ).json();

describe("sticky assignments", () => {
  test("a user who got a sticky flag keeps it with its original reason when the context no longer matches", async () => {
    expect(admitted.length).toBeGreaterThan(0);
    const user = admitted[0];
    const first = await ask("sticky-rollout", user, "US");
    expect(first).toMatchObject({ enabled: true, reason: "SPLIT" });
    const later = await ask("sticky-rollout", user, "DE");
    expect(later).toEqual(first);
  });

  test("flags without the sticky switch are evaluated afresh every time", async () => {
    expect(await ask("everyone-in-us", "u-1", "US")).toMatchObject({ enabled: true });
    expect(await ask("everyone-in-us", "u-1", "DE")).toMatchObject({ enabled: false, reason: "DEFAULT" });
  });

  test("answers from a sticky assignment are recorded as prior assignments", async () => {
    const user = admitted[1] ?? admitted[0];
    await ask("sticky-rollout", user, "US");
    await ask("sticky-rollout", user, "DE");
    const [batch] = edge.edge.recorder.seal(() => "batch").filter((b) => b.clientId === OWN_ID);
    const events = batch.events.filter((e) => e.featureKey === "sticky-rollout" && e.userContext === user);
    expect(events.map((e) => e.priorAssignment)).toEqual([false, true]);
    expect(batch.counters.some((c) => c.featureKey === "sticky-rollout" && c.cachedCount > 0)).toBe(true);
  });

  test("a kill purges the flag's sticky assignments: after revival users are evaluated afresh", async () => {
    const user = admitted[0];
    await ask("sticky-rollout", user, "US");
    const killed = teamFlags().map((f) => (f.key === "sticky-rollout" ? { ...f, killed: true } : f));
    edge.edge.tenants.applySnapshot("team-a", teamSnapshot(8, "team-a", killed));
    expect(await ask("sticky-rollout", user, "DE")).toMatchObject({ enabled: false, reason: "DISABLED" });
    edge.edge.tenants.applySnapshot("team-a", teamSnapshot(9, "team-a", teamFlags()));
    expect(await ask("sticky-rollout", user, "DE")).toMatchObject({ enabled: false, reason: "DEFAULT" });
  });

  test("purged assignments are queued as unassigned so the backend forgets them too", async () => {
    const pending = edge.edge.sticky.drain("team-a");
    expect(pending.some((a) => a.featureId === "id-sticky-rollout" && a.assigned)).toBe(true);
    expect(pending.some((a) => a.featureId === "id-sticky-rollout" && !a.assigned)).toBe(true);
  });
});

describe("sticky memory bound", () => {
  test("past EDGE_STICKY_MAX_ENTRIES the oldest assignment is forgotten and counted", async () => {
    const small = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [snapshot]), {
      EDGE_STICKY_MAX_ENTRIES: "2",
    });
    try {
      for (const userId of admitted.slice(0, 3)) {
        await small.post("/evaluate", {
          feature_key: "sticky-rollout",
          environment_id: PROD.id,
          context: [
            { key: "userId", value: userId },
            { key: "country", value: "US" },
          ],
        });
      }
      expect(small.edge.sticky.size).toBe(Math.min(2, admitted.length));
      if (admitted.length >= 3) expect(small.edge.sticky.evictedTotal).toBe(1);
    } finally {
      await small.close();
    }
  });
});
