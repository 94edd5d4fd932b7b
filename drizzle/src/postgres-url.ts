/** Postgres URL helpers that never let the password reach a message. */

export interface PostgresTarget {
  /** `host:port`, for "cannot reach" messages. */
  address: string;
  database: string;
}

/** Host, port and database of `url`, falling back to the PG* variables postgres.js also reads. */
export function postgresTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // multi-host URLs (a,b:5433) are valid for postgres.js but not for URL; never echo the raw URL
    return { address: "the host in DATABASE_URL", database: "" };
  }
  const host = parsed.hostname || process.env.PGHOST || "localhost";
  const port = parsed.port || process.env.PGPORT || "5432";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || process.env.PGDATABASE || parsed.username;
  return { address: `${host}:${port}`, database };
}

/** `Postgres at host:port/db`. */
export function describePostgres(url: string): string {
  const { address, database } = postgresTarget(url);
  return database ? `Postgres at ${address}/${database}` : `Postgres at ${address}`;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
