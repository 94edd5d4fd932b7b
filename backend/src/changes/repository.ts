/** The `config_changes` log (written through `recordConfigChange` of @fluxgate/drizzle). */
import { configChanges, type Executor } from "@fluxgate/drizzle";
import { eq } from "drizzle-orm";

export type ChangeRow = typeof configChanges.$inferSelect;

export async function findChange(ex: Executor, version: number): Promise<ChangeRow | undefined> {
  const [row] = await ex.select().from(configChanges).where(eq(configChanges.version, version)).limit(1);
  return row;
}
