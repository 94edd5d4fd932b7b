import { afterAll, describe, expect, test } from "bun:test";
import { openDatabase } from "@fluxgate/drizzle";
import { createTestDatabase, type TestDatabase, testServerUrl } from "@fluxgate/drizzle/testing";
import { sql } from "drizzle-orm";
import { retryRead } from "../src/graphql/read-retry";

const opened: TestDatabase[] = [];
afterAll(async () => {
  // postgres.js waits out its end timeout (5 s) for the pool that had a connection terminated
  for (const database of opened) await database.cleanup();
}, 30_000);

// A connection killed mid-query is what a Postgres restart does to the pool; PGlite has no connections to lose.
describe.skipIf(!testServerUrl())("a read that loses its Postgres connection", () => {
  test("is run once more on a fresh connection; other errors are not retried", async () => {
    const database = await createTestDatabase({ kind: "postgres" });
    opened.push(database);
    const admin = await openDatabase({ url: testServerUrl(), migrate: false });
    try {
      const { handle } = database;
      let attempts = 0;
      const read = retryRead(async () => {
        attempts++;
        const rows = await handle.execute<{ pid: number; answer: number }>(
          sql`select pg_backend_pid() as pid, 42 as answer, pg_sleep(${attempts === 1 ? 1 : 0})`,
        );
        return rows[0].answer;
      });
      // the first attempt's connection is terminated while its statement runs (SQLSTATE 57P01)
      let victims: unknown[] = [];
      for (let i = 0; i < 50 && victims.length === 0; i++) {
        await Bun.sleep(20);
        victims = await admin.execute(
          sql`select pg_terminate_backend(pid) from pg_stat_activity
              where query like '%pg_sleep%' and pid <> pg_backend_pid() and query not like '%pg_stat_activity%'`,
        );
      }
      expect(victims.length).toBe(1);
      expect(await read).toBe(42);
      expect(attempts).toBe(2);

      let refused = 0;
      const broken = retryRead(async () => {
        refused++;
        await handle.execute(sql`select 1/0`);
      });
      await expect(broken).rejects.toThrow();
      expect(refused).toBe(1);
    } finally {
      await admin.close();
    }
  });
});
