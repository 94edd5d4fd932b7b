/** `bun run db:migrate`: applies pending migrations to the configured database and prints one line. */
import { sql } from "drizzle-orm";
import { migrationTags } from "./migrations.ts";
import { openDatabase } from "./open.ts";
import type { DatabaseHandle } from "./types.ts";

/** Migrations recorded in drizzle's journal table (0 before the first run). */
async function appliedCount(handle: DatabaseHandle): Promise<number> {
  const [table] = await handle.execute<{ name: string | null }>(
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as name`,
  );
  if (!table?.name) return 0;
  const [count] = await handle.execute<{ n: string | number }>(
    sql`select count(*) as n from drizzle.__drizzle_migrations`,
  );
  return Number(count.n);
}

async function main(): Promise<void> {
  const handle = await openDatabase({ migrate: false });
  try {
    const before = await appliedCount(handle);
    await handle.migrate();
    const after = await appliedCount(handle);
    const latest = migrationTags().at(-1);
    console.log(`${handle.location}: applied ${after - before} migration(s), now at ${latest}`);
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  // start-up style: the message says what to do; no stack for expected failures
  console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
