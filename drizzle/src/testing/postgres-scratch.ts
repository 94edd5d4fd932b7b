/** Throwaway databases on a real Postgres server for tests: created fresh, dropped on cleanup. */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { withDatabase } from "../postgres-url.ts";

/** Server for DB tests: `TEST_DATABASE_URL`, else `DATABASE_URL`, else none (PGlite only). */
export function testServerUrl(env = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}

async function withServer<T>(serverUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates `fluxgate_test_<random>` on the server; returns its URL and how to drop it. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `fluxgate_test_${randomBytes(6).toString("hex")}`;
  await withServer(serverUrl, (sql) => sql.unsafe(`create database "${name}"`));
  const drop = () =>
    withServer(serverUrl, async (sql) => {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    });
  return { url: withDatabase(serverUrl, name), drop };
}
