/**
 * Loads flags as the engine model (`Flag`, `Snapshot`) with a fixed number of queries: Postgres builds one
 * JSON row per flag (its columns, variants, stages with their rules, dependencies — set-based, no query per
 * flag, stage or rule) and the rows are assembled in memory (`flag-assembly.ts`). Context lists are read once
 * per load. Used by gRPC delivery (snapshots, deltas, Evaluate) and by the backend's previewEvaluation.
 */
import { configChanges, type Db, type Executor, environments, executeRows } from "@fluxgate/drizzle";
import type { EnvironmentRef, Flag, Snapshot } from "@fluxgate/engine";
import { asc, eq, max, sql } from "drizzle-orm";
import { textArray } from "../sql-arrays.ts";
import {
  assembleFlag,
  type ContextLists,
  type DependencyRow,
  type FlagRecord,
  type FlagRow,
  type RuleRow,
  type StageRow,
  type VariantRow,
} from "./flag-assembly.ts";

export type { FlagRecord } from "./flag-assembly.ts";

const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

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

/**
 * A team's flags with their metadata; flags, environments and version read in one repeatable-read transaction.
 * The queries are sent together (pipelined on the transaction's connection).
 */
export async function loadTeamRecords(db: Db, teamId: string): Promise<TeamSnapshot> {
  return db.transaction(
    async (tx) => {
      const [version, envs, records] = await Promise.all([
        teamVersion(tx, teamId),
        loadEnvironments(tx, teamId),
        loadFlagRecords(tx, { teamId }),
      ]);
      return { teamId, version, environments: envs, records };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * Flags of a team, or of the given features, with all their stages, rules, variants and dependencies, in key
 * order. A team is read as flat rows per table (cheap for Postgres: no JSON built per flag) grouped here; given
 * features are one query building each flag's row in SQL (one round trip for the few flags of a change).
 */
export async function loadFlagRecords(
  executor: Executor,
  scope: { teamId: string } | { featureIds: string[] },
): Promise<FlagRecord[]> {
  if ("teamId" in scope) {
    const [contexts, rows] = await Promise.all([
      teamContexts(executor, scope.teamId),
      teamFlagRows(executor, scope.teamId),
    ]);
    return rows.map((row) => assembleFlag(row, contexts));
  }
  if (scope.featureIds.length === 0) return [];
  const rows = await executeRows<{ row: string; contexts: string }>(
    executor,
    sql`select ${FLAG_ROW} as row, ${FLAG_CONTEXTS} as contexts
        from features f where f.id = any(${textArray(scope.featureIds)}::uuid[]) order by f.key`,
  );
  return rows.map((r) => toFlagRecord(r.row, r.contexts));
}

/** A team's `FlagRow`s from one flat query per table (sent together), grouped by feature here. */
async function teamFlagRows(executor: Executor, teamId: string): Promise<FlagRow[]> {
  const [featureRows, variantRows, stageRows, ruleRows, dependencyRows] = await Promise.all([
    executeRows<FeatureColumns>(
      executor,
      sql`select id, team_id, key, salt, description, feature_type, value_type, default_variant, off_variant, sticky,
                 killed, floor(extract(epoch from killed_at) * 1000)::float8 as killed_at,
                 floor(extract(epoch from kill_scheduled_at) * 1000)::float8 as kill_at,
                 floor(extract(epoch from created_at) * 1000)::float8 as created_at
          from features where team_id = ${teamId} order by key`,
    ),
    executeRows<{ feature_id: string; key: string; value: string; weight: number }>(
      executor,
      sql`select v.feature_id, v.key, v.value::text as value, v.weight
          from feature_variants v join features f on f.id = v.feature_id
          where f.team_id = ${teamId} order by v.order_index, v.key`,
    ),
    executeRows<{
      feature_id: string;
      id: string;
      environment_id: string;
      order_index: number;
      position: string;
      bucketing_key: string | null;
      enabled: boolean;
    }>(
      executor,
      sql`select s.feature_id, s.id, s.environment_id, s.order_index, s.position, s.bucketing_key, s.enabled
          from feature_stages s join features f on f.id = s.feature_id
          where f.team_id = ${teamId} order by s.order_index`,
    ),
    // unsorted: 20,000 rule rows are too wide for work_mem (the sort spilled to disk); priorities are sorted per stage
    executeRows<{
      stage_id: string;
      id: string;
      priority: number;
      groups_operator: string;
      groups: string;
      rollout: string;
      serve: string;
    }>(
      executor,
      sql`select r.stage_id, r.id, r.priority, r.groups_operator, r.groups::text as groups, r.rollout::text as rollout,
                 r.serve::text as serve
          from stage_rules r join feature_stages s on s.id = r.stage_id join features f on f.id = s.feature_id
          where f.team_id = ${teamId}`,
    ),
    executeRows<{ feature_id: string; depends_on_id: string; key: string; variant: string | null }>(
      executor,
      sql`select d.feature_id, d.depends_on_id, t.key, d.variant
          from feature_dependencies d join features f on f.id = d.feature_id join features t on t.id = d.depends_on_id
          where f.team_id = ${teamId} order by t.key`,
    ),
  ]);
  const rules = groupBy(
    ruleRows.sort(byPriority),
    (r) => r.stage_id,
    (r): RuleRow => [r.id, r.groups_operator, JSON.parse(r.groups), r.rollout, JSON.parse(r.serve)],
  );
  const stages = groupBy(
    stageRows,
    (s) => s.feature_id,
    (s): StageRow => [
      s.id,
      s.environment_id,
      s.order_index,
      s.position,
      s.bucketing_key,
      s.enabled,
      rules.get(s.id) ?? [],
    ],
  );
  const variants = groupBy(
    variantRows,
    (v) => v.feature_id,
    (v): VariantRow => [v.key, JSON.parse(v.value), v.weight],
  );
  const dependencies = groupBy(
    dependencyRows,
    (d) => d.feature_id,
    (d): DependencyRow => [d.depends_on_id, d.key, d.variant],
  );
  return featureRows.map(
    (f): FlagRow => [
      f.id,
      f.team_id,
      f.key,
      f.salt,
      f.description,
      f.feature_type,
      f.value_type,
      f.default_variant,
      f.off_variant,
      f.sticky,
      f.killed,
      f.killed_at === null ? null : Number(f.killed_at),
      f.kill_at === null ? null : Number(f.kill_at),
      Number(f.created_at),
      variants.get(f.id) ?? [],
      stages.get(f.id) ?? [],
      dependencies.get(f.id) ?? [],
    ],
  );
}

interface FeatureColumns {
  id: string;
  team_id: string;
  key: string;
  salt: string;
  description: string | null;
  feature_type: string;
  value_type: string;
  default_variant: string | null;
  off_variant: string | null;
  sticky: boolean;
  killed: boolean;
  killed_at: number | string | null;
  kill_at: number | string | null;
  created_at: number | string;
}

/** Rules in priority order (stable: rules of one stage have distinct priorities, others' order is kept). */
function byPriority(a: { priority: number }, b: { priority: number }): number {
  return a.priority - b.priority;
}

/** Rows grouped by `keyOf`, each mapped by `map`, in row order. */
function groupBy<T, U>(rows: T[], keyOf: (row: T) => string, map: (row: T) => U): Map<string, U[]> {
  const out = new Map<string, U[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(map(row));
    else out.set(key, [map(row)]);
  }
  return out;
}

/** A flag from `FLAG_ROW` and `FLAG_CONTEXTS` texts. */
export function toFlagRecord(row: string, contexts: string): FlagRecord {
  return assembleFlag(JSON.parse(row) as FlagRow, toContextLists(contexts));
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

/**
 * The `FlagRow` of feature `f` as JSON text: its columns, then its children gathered by index lookups (no sort or
 * spill of a whole team), in delivery order.
 */
export const FLAG_ROW = sql`json_build_array(f.id, f.team_id, f.key, f.salt, f.description, f.feature_type,
    f.value_type, f.default_variant, f.off_variant, f.sticky, f.killed,
    floor(extract(epoch from f.killed_at) * 1000), floor(extract(epoch from f.kill_scheduled_at) * 1000),
    floor(extract(epoch from f.created_at) * 1000),
    coalesce((select json_agg(json_build_array(v.key, v.value, v.weight) order by v.order_index, v.key)
              from feature_variants v where v.feature_id = f.id), '[]'::json),
    coalesce((select json_agg(json_build_array(s.id, s.environment_id, s.order_index, s.position, s.bucketing_key,
                s.enabled,
                coalesce((select json_agg(json_build_array(r.id, r.groups_operator, r.groups, r.rollout, r.serve)
                            order by r.priority)
                          from stage_rules r where r.stage_id = s.id), '[]'::json)) order by s.order_index)
              from feature_stages s where s.feature_id = f.id), '[]'::json),
    coalesce((select json_agg(json_build_array(d.depends_on_id, t.key, d.variant) order by t.key)
              from feature_dependencies d join features t on t.id = d.depends_on_id
              where d.feature_id = f.id), '[]'::json))::text`;

/** The context lists of `f`'s team that `f`'s rules read, as JSON text `[[id, teamId, key, [values]], …]`. */
export const FLAG_CONTEXTS = sql`(select coalesce(json_agg(json_build_array(c.id, c.team_id, c.key,
      coalesce((select json_agg(v.value order by v.value) from context_values v where v.context_id = c.id), '[]'::json))
    ), '[]'::json)
  from contexts c
  where c.team_id = f.team_id and c.id in (
    select case when cond->>'contextId' ~* ${UUID_PATTERN} then (cond->>'contextId')::uuid end
    from feature_stages s
    join stage_rules r on r.stage_id = s.id
    cross join lateral jsonb_array_elements(
      case jsonb_typeof(r.groups) when 'array' then r.groups else '[]'::jsonb end) as grp
    cross join lateral jsonb_array_elements(
      case jsonb_typeof(grp->'conditions') when 'array' then grp->'conditions' else '[]'::jsonb end) as cond
    where s.feature_id = f.id))::text`;

/** Every context list of a team. */
async function teamContexts(executor: Executor, teamId: string): Promise<ContextLists> {
  const [row] = await executeRows<{ row: string | null }>(
    executor,
    sql`select json_agg(json_build_array(c.id, c.team_id, c.key,
          coalesce((select json_agg(v.value order by v.value) from context_values v where v.context_id = c.id), '[]'::json)
        ))::text as row
      from contexts c where c.team_id = ${teamId}`,
  );
  return toContextLists(row?.row ?? null);
}

function toContextLists(json: string | null): ContextLists {
  const lists: ContextLists = new Map();
  if (!json) return lists;
  for (const [id, teamId, key, values] of JSON.parse(json) as [string, string, string, string[]][]) {
    lists.set(id, { teamId, key, values });
  }
  return lists;
}
