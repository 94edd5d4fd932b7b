/** Types shared by both drivers: the drizzle database, transactions and the handle `openDatabase` returns. */
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type * as schema from "./schema/index.ts";

export type Schema = typeof schema;

/** The drizzle database, the same type on PGlite and postgres.js. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** What `db.transaction` hands its callback. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/** Anything a repository can run queries on. */
export type Executor = Db | Tx;

export type DatabaseKind = "pglite" | "postgres";

export type Unsubscribe = () => Promise<void>;

/** An open database: the drizzle `db` plus what drizzle does not cover (LISTEN/NOTIFY, migrations, closing). */
export interface DatabaseHandle {
  db: Db;
  kind: DatabaseKind;
  /** Where it lives, safe to print: `PGlite in /abs/dir` or `Postgres at host:port/db` (never the password). */
  location: string;
  /** LISTEN on `channel`; resolves once listening. */
  listen(channel: string, handler: (payload: string) => void): Promise<Unsubscribe>;
  /** `pg_notify(channel, payload)`; inside a transaction use `tx.execute(sql\`select pg_notify(...)\`)`. */
  notify(channel: string, payload: string): Promise<void>;
  /** Raw SQL escape hatch; rows as plain objects on both drivers. */
  execute<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Applies pending migrations (idempotent); `openDatabase` already does unless `migrate: false`. */
  migrate(): Promise<void>;
  /** Closes connections and releases the data folder lock. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Postgres URL; wins over everything. */
  url?: string;
  /** PGlite data folder; wins over `DATABASE_URL`. `memory://` = in memory, no lock. */
  dataDir?: string;
  /** Apply migrations at open (default true). */
  migrate?: boolean;
  /** postgres.js pool size (default `DATABASE_POOL_SIZE` or 10). */
  poolSize?: number;
  /** PGlite: start from this data folder tarball (`dumpDataDir`) when the folder is empty. */
  loadDataDir?: Blob;
}
