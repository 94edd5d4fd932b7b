/**
 * A real Postgres for multi-process tests and benches: `TEST_DATABASE_URL` / `DATABASE_URL`, else a
 * server on 127.0.0.1:5432 (user `postgres`) when one answers. Scratch databases are dropped afterwards.
 */
import { testServerUrl } from "@fluxgate/drizzle/testing";
import { createScratchDatabase } from "../../../drizzle/src/testing/postgres-scratch.ts";

export const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres";

/** The server URL to use, or null (with the reason) when there is none. */
export async function findPostgres(): Promise<{ url: string; source: string } | { url: null; source: string }> {
  const configured = testServerUrl();
  if (configured) return { url: configured, source: "TEST_DATABASE_URL/DATABASE_URL" };
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: 5432, socket: { data() {} } });
    socket.end();
    return { url: LOCAL_POSTGRES, source: "127.0.0.1:5432" };
  } catch {
    return { url: null, source: "no TEST_DATABASE_URL/DATABASE_URL and nothing on 127.0.0.1:5432" };
  }
}

/** A fresh database on the server; `drop()` removes it. */
export function scratchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  return createScratchDatabase(serverUrl);
}
