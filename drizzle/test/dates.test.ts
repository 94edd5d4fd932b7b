import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../src/testing.ts";

setDefaultTimeout(30_000);

const opened: TestDatabase[] = [];
afterAll(async () => {
  for (const db of opened) await db.cleanup();
});

describe.each(testDatabaseKinds())("a raw Date in a sql template on %s", (kind) => {
  test("binds as a timestamp and compares as one", async () => {
    const database = await createTestDatabase({ kind });
    opened.push(database);
    const at = new Date("2026-03-04T05:06:07.089Z");
    const rows = await database.handle.execute<{ same: boolean; later: boolean }>(
      sql`select ${at}::timestamptz = '2026-03-04T05:06:07.089Z'::timestamptz as same,
                 now() > ${at} as later`,
    );
    expect(rows).toEqual([{ same: true, later: true }]);
  });
});
