/** Reads of the change log (`config_changes`). */
import {
  configChanges,
  type Executor,
  executeRows,
  featureStages,
  features,
  stageRuleContexts,
  stageRules,
} from "@fluxgate/drizzle";
import { and, asc, eq, gt, inArray, max, min, or, type SQL, sql } from "drizzle-orm";
import { numberArray, textArray } from "../sql-arrays.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import { FLAG_CONTEXTS, FLAG_ROW, toFlagRecord } from "./snapshot-repository.ts";

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

/**
 * Changes of every team after `version` except the `skip` versions (oldest first, at most `limit`) and, in the same
 * statement (one round trip, one snapshot), the current flags of the changed features of `teamIds`: by feature id;
 * a changed feature of those teams missing from `flags` no longer exists.
 */
export async function changesWithFlags(
  executor: Executor,
  version: number,
  limit: number,
  teamIds: string[],
  skip: number[] = [],
): Promise<{ rows: ChangeRow[]; flags: Map<string, FlagRecord> }> {
  const result = await executeRows<{ row: string; contexts: string | null }>(
    executor,
    sql`with ch as materialized (
          select version, team_id, kind, entity, entity_id, key from config_changes
          where version > ${version} and version <> all(${numberArray(skip)}::int8[])
          order by version limit ${limit})
        select row, contexts from (
          select 0 as part, ch.version as ord,
                 json_build_array(ch.version, ch.team_id, ch.kind, ch.entity, ch.entity_id, ch.key)::text as row,
                 null::text as contexts
          from ch
          union all
          select 1, 0, ${FLAG_ROW}, ${FLAG_CONTEXTS}
          from features f
          where f.id in (select entity_id from ch where entity = 'feature' and team_id = any(${textArray(teamIds)}::uuid[]))
        ) x
        order by part, ord`,
  );
  const rows: ChangeRow[] = [];
  const flags = new Map<string, FlagRecord>();
  for (const r of result) {
    if (r.contexts === null) {
      const [v, teamId, kind, entity, entityId, key] = JSON.parse(r.row) as [
        number,
        string,
        string,
        string,
        string,
        string,
      ];
      rows.push({ version: v, teamId, kind, entity, entityId, key });
    } else {
      const record = toFlagRecord(r.row, r.contexts);
      flags.set(record.flag.id as string, record);
    }
  }
  return { rows, flags };
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
