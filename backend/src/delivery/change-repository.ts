/** Reads of the change log (`config_changes`). */
import {
  configChanges,
  type Executor,
  featureStages,
  features,
  stageRuleContexts,
  stageRules,
} from "@fluxgate/drizzle";
import { and, asc, eq, gt, inArray, max, min, or, type SQL, sql } from "drizzle-orm";

export type ChangeRow = Pick<
  typeof configChanges.$inferSelect,
  "version" | "teamId" | "kind" | "entity" | "entityId" | "key"
>;

const columns = {
  version: configChanges.version,
  teamId: configChanges.teamId,
  kind: configChanges.kind,
  entity: configChanges.entity,
  entityId: configChanges.entityId,
  key: configChanges.key,
};

/** Changes of every team after `version`, oldest first. */
export function changesAfter(executor: Executor, version: number, limit: number): Promise<ChangeRow[]> {
  return executor
    .select(columns)
    .from(configChanges)
    .where(gt(configChanges.version, version))
    .orderBy(asc(configChanges.version))
    .limit(limit);
}

/** One team's changes after `version`, oldest first. */
export function teamChangesAfter(executor: Executor, teamId: string, version: number): Promise<ChangeRow[]> {
  return executor
    .select(columns)
    .from(configChanges)
    .where(and(eq(configChanges.teamId, teamId), gt(configChanges.version, version)))
    .orderBy(asc(configChanges.version));
}

/** Lowest and highest version still in the log (0 when empty). */
export async function logBounds(executor: Executor): Promise<{ low: number; high: number }> {
  const [row] = await executor
    .select({ low: min(configChanges.version), high: max(configChanges.version) })
    .from(configChanges);
  return { low: Number(row?.low ?? 0), high: Number(row?.high ?? 0) };
}

/** Features of a team with a rule reading one of these context lists. */
export async function featuresUsingContexts(
  executor: Executor,
  teamId: string,
  contextIds: string[],
): Promise<string[]> {
  if (contextIds.length === 0) return [];
  // stage_rule_contexts lists them; the JSON scan also catches rules written before that table was kept
  const mentions: SQL[] = contextIds.map((id) => sql`${stageRules.groups}::text like ${`%${id}%`}`);
  const rows = await executor
    .selectDistinct({ id: features.id })
    .from(stageRules)
    .innerJoin(featureStages, eq(featureStages.id, stageRules.stageId))
    .innerJoin(features, eq(features.id, featureStages.featureId))
    .leftJoin(stageRuleContexts, eq(stageRuleContexts.ruleId, stageRules.id))
    .where(and(eq(features.teamId, teamId), or(inArray(stageRuleContexts.contextId, contextIds), ...mentions)));
  return rows.map((r) => r.id);
}
