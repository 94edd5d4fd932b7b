import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CONFIG_CHANNEL, recordConfigChange } from "../src/index.ts";
import { teams } from "../src/schema/index.ts";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../src/testing.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

/** Collects payloads and lets a test wait for the next one (or see that none came). */
function inbox() {
  const payloads: string[] = [];
  const waiters: (() => void)[] = [];
  return {
    payloads,
    handler: (payload: string) => {
      payloads.push(payload);
      for (const wake of waiters.splice(0)) wake();
    },
    next: (count: number, timeoutMs = 3000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (payloads.length >= count ? resolve() : waiters.push(check));
        check();
        setTimeout(() => reject(new Error(`only ${payloads.length} of ${count} notifications`)), timeoutMs);
      }),
  };
}

describe.each(testDatabaseKinds())("LISTEN/NOTIFY on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ kind });
  });
  afterAll(() => t?.cleanup());

  test("a listener gets notify() payloads on a case-sensitive channel until it unsubscribes", async () => {
    const box = inbox();
    const unsubscribe = await t.handle.listen("Feed_A", box.handler);
    await t.handle.notify("Feed_A", "one");
    await t.handle.notify("feed_a", "other channel");
    await box.next(1);
    await unsubscribe();
    await t.handle.notify("Feed_A", "after unsubscribe");
    await Bun.sleep(200);
    expect(box.payloads).toEqual(["one"]);
  });

  test("a recorded config change notifies its version on commit, and a rolled back one does not", async () => {
    const box = inbox();
    const unsubscribe = await t.handle.listen(CONFIG_CHANNEL, box.handler);
    try {
      const [team] = await t.db
        .insert(teams)
        .values({ name: `listen-${kind}` })
        .returning();
      const change = { teamId: team.id, entity: "team" as const, entityId: team.id, key: team.name };
      await t.db
        .transaction(async (tx) => {
          await recordConfigChange(tx, change);
          throw new Error("roll back");
        })
        .catch(() => {});
      const version = await t.db.transaction((tx) => recordConfigChange(tx, change));
      await box.next(1);
      await Bun.sleep(100);
      expect(box.payloads).toEqual([String(version)]);
    } finally {
      await unsubscribe();
    }
  });

  test("channel names that cannot be quoted safely are refused", async () => {
    expect(t.handle.listen('bad"name', () => {})).rejects.toThrow("invalid LISTEN channel");
  });
});
