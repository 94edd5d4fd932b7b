/** The change feed's write side: every configuration change appends to `config_changes` in its transaction. */
import { sql } from "drizzle-orm";
import { configChanges } from "./schema/index.ts";
import type { Executor } from "./types.ts";

/** Channel the version is `pg_notify`-ed on when a change commits. */
export const CONFIG_CHANNEL = "fluxgate_config";

export type ConfigEntity = "feature" | "client" | "environment" | "context" | "team";

export interface ConfigChange {
  teamId: string;
  kind?: "UPSERT" | "DELETE";
  entity: ConfigEntity;
  entityId: string;
  /** Feature key (or entity name) at the time of the change. */
  key: string;
}

/**
 * Takes `nextval('config_version')`, appends the change and notifies `CONFIG_CHANNEL` with the version.
 * Call it inside the change's transaction: the row and the notification then appear only on commit.
 */
export async function recordConfigChange(tx: Executor, change: ConfigChange): Promise<number> {
  const [row] = await tx
    .insert(configChanges)
    .values({ ...change, kind: change.kind ?? "UPSERT", version: sql`nextval('config_version')` })
    .returning({ version: configChanges.version });
  await tx.execute(sql`select pg_notify(${CONFIG_CHANNEL}, ${String(row.version)})`);
  return row.version;
}
