/** `@fluxgate/drizzle`: the schema, `openDatabase()` for PGlite or Postgres, and database helpers. */

export { CLIENT_SECRET_PREFIX, generateClientSecret, hashClientSecret, newClientSecret } from "./client-secret.ts";
export { CONFIG_CHANNEL, type ConfigChange, type ConfigEntity, recordConfigChange } from "./config-change.ts";
export { type DemoSeedResult, seedDemo } from "./demo-seed.ts";
export { guardDriverCrashes, isClosedSocketWrite } from "./driver-guard.ts";
export { DatabaseLockedError, DatabaseUnavailableError } from "./errors.ts";
export { executeRows } from "./execute.ts";
export { MIGRATIONS_FOLDER, migrationsHash, migrationTags } from "./migrations.ts";
export { chooseDatabase, type DatabaseChoice, DEFAULT_DATA_DIR, openDatabase } from "./open.ts";
export { describePostgres } from "./postgres-url.ts";
export * as schema from "./schema/index.ts";
export * from "./schema/index.ts";
export {
  constraintName,
  isCheckViolation,
  isConnectionLost,
  isForeignKeyViolation,
  isUniqueViolation,
  SQLSTATE,
  sqlState,
} from "./sql-state.ts";
export type {
  DatabaseHandle,
  DatabaseKind,
  Db,
  Executor,
  OpenOptions,
  Schema,
  Tx,
  Unsubscribe,
} from "./types.ts";
