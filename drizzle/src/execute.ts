/** Raw SQL that returns rows the same way on both drivers. */
import type { SQL } from "drizzle-orm";
import type { Executor } from "./types.ts";

/** Runs `query` and returns its rows (postgres.js returns an array, PGlite `{ rows }`). */
export async function executeRows<T = Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
