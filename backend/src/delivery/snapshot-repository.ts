/**
 * Loads flags as the engine model (`Flag`, `Snapshot`) with a fixed number of queries: every row of a
 * team (or of a set of features) per table, assembled in memory — never a query per stage or rule.
 * Used by gRPC delivery (snapshots, deltas, Evaluate) and by the backend's previewEvaluation.
 */
import {
  configChanges,
  contexts,
  contextValues,
  type Db,
  type Executor,
  environments,
  featureDependencies,
  featureStages,
  features,
  featureVariants,
  stageRules,
} from "@fluxgate/drizzle";
import type { EnvironmentRef, Flag, Snapshot } from "@fluxgate/engine";
import { asc, eq, inArray, max, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { assembleFlags, type FlagRecord, type FlagRows } from "./flag-assembly.ts";

export type { FlagRecord } from "./flag-assembly.ts";

/** A team's flags at one `config_version`, with what the original FeatureFull shape also needs. */
export interface TeamSnapshot {
  teamId: string;
  version: number;
  environments: EnvironmentRef[];
  records: FlagRecord[];
}

/** The engine `Snapshot` of a team, read in one consistent transaction. */
export async function loadTeamSnapshot(db: Db, teamId: string): Promise<Snapshot> {
  return toEngineSnapshot(await loadTeamRecords(db, teamId));
}

/** One flag as the engine model (undefined when the feature does not exist). */
export async function buildFlag(executor: Executor, featureId: string): Promise<Flag | undefined> {
  return (await loadFlagRecords(executor, { featureIds: [featureId] }))[0]?.flag;
}

/** A team's flags with their metadata; flags, environments and version read in one repeatable-read transaction. */
export async function loadTeamRecords(db: Db, teamId: string): Promise<TeamSnapshot> {
  return db.transaction(
    async (tx) => {
      const version = await teamVersion(tx, teamId);
      const envs = await loadEnvironments(tx, teamId);
      const records = await loadFlagRecords(tx, { teamId });
      return { teamId, version, environments: envs, records };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** Flags of a team, or of the given features, with all their stages, rules, variants and dependencies. */
export async function loadFlagRecords(
  executor: Executor,
  scope: { teamId: string } | { featureIds: string[] },
): Promise<FlagRecord[]> {
  if ("featureIds" in scope && scope.featureIds.length === 0) return [];
  const inScope: SQL =
    "teamId" in scope
      ? eq(features.teamId, scope.teamId)
      : inArray(features.id, (scope as { featureIds: string[] }).featureIds);
  const target = alias(features, "target");
  // one round trip: every table of the scope at once (the children filter through their feature)
  const [featureRows, variantRows, stageRows, ruleRows, dependencyRows, contextValues] = await Promise.all([
    executor
      .select({
        id: features.id,
        teamId: features.teamId,
        key: features.key,
        salt: features.salt,
        description: features.description,
        featureType: features.featureType,
        valueType: features.valueType,
        defaultVariant: features.defaultVariant,
        offVariant: features.offVariant,
        sticky: features.sticky,
        killed: features.killed,
        killedAt: features.killedAt,
        killScheduledAt: features.killScheduledAt,
        createdAt: features.createdAt,
      })
      .from(features)
      .where(inScope)
      .orderBy(asc(features.key)),
    executor
      .select({
        featureId: featureVariants.featureId,
        key: featureVariants.key,
        value: featureVariants.value,
        weight: featureVariants.weight,
      })
      .from(featureVariants)
      .innerJoin(features, eq(features.id, featureVariants.featureId))
      .where(inScope)
      .orderBy(asc(featureVariants.featureId), asc(featureVariants.orderIndex), asc(featureVariants.key)),
    executor
      .select({
        id: featureStages.id,
        featureId: featureStages.featureId,
        environmentId: featureStages.environmentId,
        orderIndex: featureStages.orderIndex,
        position: featureStages.position,
        bucketingKey: featureStages.bucketingKey,
        enabled: featureStages.enabled,
      })
      .from(featureStages)
      .innerJoin(features, eq(features.id, featureStages.featureId))
      .where(inScope)
      .orderBy(asc(featureStages.featureId), asc(featureStages.orderIndex)),
    executor
      .select({
        id: stageRules.id,
        stageId: stageRules.stageId,
        groupsOperator: stageRules.groupsOperator,
        groups: stageRules.groups,
        rollout: stageRules.rollout,
        serve: stageRules.serve,
      })
      .from(stageRules)
      .innerJoin(featureStages, eq(featureStages.id, stageRules.stageId))
      .innerJoin(features, eq(features.id, featureStages.featureId))
      .where(inScope)
      .orderBy(asc(stageRules.stageId), asc(stageRules.priority)),
    executor
      .select({
        featureId: featureDependencies.featureId,
        dependsOnId: featureDependencies.dependsOnId,
        variant: featureDependencies.variant,
        dependsOnKey: target.key,
      })
      .from(featureDependencies)
      .innerJoin(features, eq(features.id, featureDependencies.featureId))
      .innerJoin(target, eq(target.id, featureDependencies.dependsOnId))
      .where(inScope)
      .orderBy(asc(featureDependencies.featureId), asc(target.key)),
    loadContextValues(executor, scope, inScope),
  ]);
  if (featureRows.length === 0) return [];
  const rows: FlagRows = {
    features: featureRows,
    variants: variantRows,
    stages: stageRows,
    rules: ruleRows,
    dependencies: dependencyRows,
    contextValues,
  };
  return assembleFlags(rows);
}

/** Environments of a team, by name. */
export async function loadEnvironments(executor: Executor, teamId: string): Promise<EnvironmentRef[]> {
  return executor
    .select({ id: environments.id, name: environments.name })
    .from(environments)
    .where(eq(environments.teamId, teamId))
    .orderBy(asc(environments.name));
}

/** Highest change-log version of a team (0 when it never changed). */
export async function teamVersion(executor: Executor, teamId: string): Promise<number> {
  const [row] = await executor
    .select({ version: max(configChanges.version) })
    .from(configChanges)
    .where(eq(configChanges.teamId, teamId));
  return Number(row?.version ?? 0);
}

/** The engine snapshot of loaded records, optionally keeping only the stages of one environment. */
export function toEngineSnapshot(team: TeamSnapshot, environmentId?: string | null): Snapshot {
  const onlyEnv = environmentId ?? null;
  return {
    version: team.version,
    teamId: team.teamId,
    environments: onlyEnv ? team.environments.filter((e) => e.id === onlyEnv) : team.environments,
    flags: team.records.map((r) => (onlyEnv ? stagesOf(r.flag, onlyEnv) : r.flag)),
  };
}

/** The flag with only the stage of one environment. */
export function stagesOf(flag: Flag, environmentId: string): Flag {
  return { ...flag, stages: flag.stages.filter((s) => s.environmentId === environmentId) };
}

/** Context lists the scope's rules read (a whole team: all its lists), as `contextId → { key, values }`. */
async function loadContextValues(
  executor: Executor,
  scope: { teamId: string } | { featureIds: string[] },
  inScope: SQL,
): Promise<Map<string, { key: string; values: string[] }>> {
  const referenced = sql`${contexts.id} in (
    select (cond->>'contextId')::uuid
    from ${stageRules}
    join ${featureStages} on ${featureStages.id} = ${stageRules.stageId}
    join ${features} on ${features.id} = ${featureStages.featureId}
    cross join lateral jsonb_array_elements(
      case jsonb_typeof(${stageRules.groups}) when 'array' then ${stageRules.groups} else '[]'::jsonb end) as grp
    cross join lateral jsonb_array_elements(
      case jsonb_typeof(grp->'conditions') when 'array' then grp->'conditions' else '[]'::jsonb end) as cond
    where ${inScope} and cond->>'contextId' ~* ${UUID_PATTERN})`;
  const where = "teamId" in scope ? eq(contexts.teamId, scope.teamId) : referenced;
  const rows = await executor
    .select({ contextId: contexts.id, key: contexts.key, value: contextValues.value })
    .from(contexts)
    .leftJoin(contextValues, eq(contextValues.contextId, contexts.id))
    .where(where)
    .orderBy(asc(contexts.id), asc(contextValues.value));
  const byContext = new Map<string, { key: string; values: string[] }>();
  for (const row of rows) {
    let entry = byContext.get(row.contextId);
    if (!entry) {
      entry = { key: row.key, values: [] };
      byContext.set(row.contextId, entry);
    }
    if (row.value !== null) entry.values.push(row.value);
  }
  return byContext;
}

const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
