/** SQLSTATE of driver errors, through drizzle's `DrizzleQueryError` wrapper, for both drivers. */

export const SQLSTATE = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  notNullViolation: "23502",
} as const;

// five characters with a digit: tells a SQLSTATE from Node codes such as EPIPE
const SQLSTATE_SHAPE = /^(?=.*\d)[0-9A-Z]{5}$/;
const MAX_DEPTH = 5;

/** The first error in the `cause` chain that carries a SQLSTATE `code`. */
function databaseError(err: unknown): Record<string, unknown> | undefined {
  let current = err;
  for (let depth = 0; depth < MAX_DEPTH && current && typeof current === "object"; depth++) {
    const record = current as Record<string, unknown>;
    if (typeof record.code === "string" && SQLSTATE_SHAPE.test(record.code)) return record;
    current = record.cause;
  }
  return undefined;
}

/** SQLSTATE of a database error (`err.code` or `err.cause.code`), else undefined. */
export function sqlState(err: unknown): string | undefined {
  return databaseError(err)?.code as string | undefined;
}

/** Name of the violated constraint (postgres.js `constraint_name`, PGlite `constraint`), if known. */
export function constraintName(err: unknown): string | undefined {
  const found = databaseError(err);
  const name = found?.constraint_name ?? found?.constraint;
  return typeof name === "string" ? name : undefined;
}

/** 23505: a unique constraint or primary key already has this value. */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === SQLSTATE.uniqueViolation;

/** 23503: the referenced row is missing, or the row is still referenced. */
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === SQLSTATE.foreignKeyViolation;

/** 23514: a CHECK constraint refused the row. */
export const isCheckViolation = (err: unknown): boolean => sqlState(err) === SQLSTATE.checkViolation;

// SQLSTATE class 08 (connection exception) and the shutdown codes of class 57 (a server restart)
const CONNECTION_SQLSTATE = /^(08...|57P0[123])$/;
// what postgres.js and Node say when the socket went away
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
]);

/** The database connection was lost or refused (a restart, a failover), as opposed to a refused statement. */
export function isConnectionLost(err: unknown): boolean {
  let current = err;
  for (let depth = 0; depth < MAX_DEPTH && current && typeof current === "object"; depth++) {
    const code = (current as Record<string, unknown>).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || CONNECTION_SQLSTATE.test(code))) return true;
    current = (current as Record<string, unknown>).cause;
  }
  return false;
}
