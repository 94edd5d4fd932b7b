/** The server database: postgres.js pool behind drizzle. */
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { checkChannel } from "./channel.ts";
import { DatabaseUnavailableError } from "./errors.ts";
import { executeRows } from "./execute.ts";
import { migratePostgres } from "./migrations.ts";
import { once } from "./once.ts";
import { describePostgres, postgresTarget } from "./postgres-url.ts";
import * as schema from "./schema/index.ts";
import type { DatabaseHandle } from "./types.ts";

const DEFAULT_POOL_SIZE = 10;
const CONNECT_TIMEOUT_SECS = 10;

/** Pool size from the option, else `DATABASE_POOL_SIZE`, else 10. */
export function poolSize(option?: number): number {
  const size = option ?? Number(process.env.DATABASE_POOL_SIZE || DEFAULT_POOL_SIZE);
  if (!Number.isInteger(size) || size < 1) throw new Error(`DATABASE_POOL_SIZE must be a positive integer`);
  return size;
}

/**
 * Seconds before a dropped connection reconnects, after `retries` errors in a row across the pool: 50 ms doubling
 * up to 1 s, jittered. postgres.js's default grows to 20 s, so after a Postgres restart a query could wait that
 * long on a connection sleeping off the errors the restart caused, though the server was long back.
 */
export function reconnectDelaySecs(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/** Connects to `url` (checked with one query, so a dead server fails here with a clear message). */
export async function openPostgres(url: string, pool?: number): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: poolSize(pool),
    connect_timeout: CONNECT_TIMEOUT_SECS,
    // NOTICEs ("schema already exists, skipping" on every migrate) are not for the operator
    onnotice: () => {},
    connection: { application_name: "fluxgate" },
    backoff: reconnectDelaySecs,
  });
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 0 });
    throw unavailable(url, err);
  }
  return postgresHandle(client, url);
}

function postgresHandle(client: postgres.Sql, url: string): DatabaseHandle {
  const db = drizzle({ client, schema });
  acceptDates(client);
  return {
    db,
    kind: "postgres",
    location: describePostgres(url),
    async listen(channel, handler) {
      const { unlisten } = await client.listen(checkChannel(channel), handler);
      return unlisten;
    },
    async notify(channel, payload) {
      await db.execute(sql`select pg_notify(${checkChannel(channel)}, ${payload})`);
    },
    execute: (query) => executeRows(db, query),
    migrate: () => migratePostgres(db, url),
    close: once(() => client.end({ timeout: 5 })),
  };
}

/**
 * drizzle hands timestamp parameters to postgres.js untouched (it formats the ones bound to columns itself),
 * so a raw `Date` in a sql`` template reached the wire as an object and failed on Postgres only (PGlite takes
 * it). Serialising Dates here makes both drivers agree.
 */
function acceptDates(client: postgres.Sql): void {
  const toText = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
  for (const oid of [1082, 1083, 1114, 1184, 1266]) client.options.serializers[oid] = toText;
}

/** One clear line for a connection failure; the password never appears in it. */
function unavailable(url: string, err: unknown): DatabaseUnavailableError {
  const { address } = postgresTarget(url);
  const reason = redact(errorText(err), url);
  const rejected = typeof err === "object" && err !== null && "severity" in err;
  const message = rejected
    ? `Postgres at ${address} refused the connection: ${reason}; check DATABASE_URL`
    : `cannot reach Postgres at ${address}: ${reason}; is it running? check DATABASE_URL`;
  return new DatabaseUnavailableError(message, { cause: err });
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

function redact(text: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // unparsable URL: nothing we can single out
  }
  return password ? text.replaceAll(password, "***") : text;
}
