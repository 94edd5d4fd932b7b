/**
 * Assembles engine flags from the per-flag JSON rows `snapshot-repository.ts` reads (pure: no database).
 *
 * A row is a JSON array built by Postgres (`FlagRow`): the feature's columns, then its variants, stages
 * (each with its rules) and dependencies, already in delivery order. Context lists come separately,
 * keyed by id; a list is only read by flags of its own team.
 */
import type {
  Condition,
  ConditionGroup,
  Flag,
  JsonValue,
  LogicOperator,
  Operator,
  Rule,
  Serve,
  Stage,
  ValueType,
} from "@fluxgate/engine";

/** A flag plus what the original `FeatureFull` carries besides the engine model. */
export interface FlagRecord {
  flag: Flag;
  teamId: string;
  description: string;
  featureType: string;
  createdAt: Date;
  killedAt: Date | null;
  killScheduledAt: Date | null;
  /** Per environment id: the stage row's id, order and UI position. */
  stageMeta: Map<string, { id: string; orderIndex: number; position: string }>;
  /** Ids of the flags depended on, aligned with `flag.dependencies`. */
  dependencyIds: string[];
  /** Rule id → name of the context list its single condition reads (for the original criteria view). */
  contextNames: Map<string, string>;
}

/** `[id, groupsOperator, groups, rollout, serve]` of one stage rule, by priority. */
export type RuleRow = [string, string, unknown, number | string, unknown];
/** `[id, environmentId, orderIndex, position, bucketingKey, enabled, rules]` of one stage, by order. */
export type StageRow = [string, string, number, string, string | null, boolean, RuleRow[]];
/** `[key, value, weight]` of one variant, by order then key. */
export type VariantRow = [string, JsonValue, number];
/** `[dependsOnId, dependsOnKey, variant]` of one dependency, by the key depended on. */
export type DependencyRow = [string, string, string | null];

/**
 * One feature as `snapshot-repository.ts` selects it: `[id, teamId, key, salt, description, featureType, valueType,
 * defaultVariant, offVariant, sticky, killed, killedAtMs, killScheduledAtMs, createdAtMs, variants, stages,
 * dependencies]` (times in epoch ms, truncated like a JS Date).
 */
export type FlagRow = [
  string,
  string,
  string,
  string,
  string | null,
  string,
  string,
  string | null,
  string | null,
  boolean,
  boolean,
  number | null,
  number | null,
  number,
  VariantRow[],
  StageRow[],
  DependencyRow[],
];

/** A context list: its team, its key (name) and its values in value order. */
export interface ContextList {
  teamId: string;
  key: string;
  values: string[];
}

export type ContextLists = Map<string, ContextList>;

/** The record of one feature row; children come in the order of the row (variants, stages, rule priority). */
export function assembleFlag(row: FlagRow, contexts: ContextLists): FlagRecord {
  const [
    id,
    teamId,
    key,
    salt,
    description,
    featureType,
    valueType,
    defaultVariant,
    offVariant,
    sticky,
    killed,
    killedAtMs,
    killScheduledAtMs,
    createdAtMs,
    variantRows,
    stageRows,
    dependencyRows,
  ] = row;
  const contextNames = new Map<string, string>();
  const stages: Stage[] = new Array(stageRows.length);
  const stageMeta = new Map<string, { id: string; orderIndex: number; position: string }>();
  for (let i = 0; i < stageRows.length; i++) {
    const [stageId, environmentId, orderIndex, position, bucketingKey, enabled, ruleRows] = stageRows[i];
    const rules: Rule[] = new Array(ruleRows.length);
    for (let r = 0; r < ruleRows.length; r++) rules[r] = toRule(ruleRows[r], teamId, contexts, contextNames);
    stages[i] = { environmentId, deployed: enabled, bucketingKey, rules };
    stageMeta.set(environmentId, { id: stageId, orderIndex, position });
  }
  const flag: Flag = {
    key,
    id,
    salt,
    valueType: valueType as ValueType,
    variants: variantRows.map(([k, value, weight]) => ({ key: k, value, weight })),
    defaultVariant,
    offVariant,
    killed,
    killAt: killScheduledAtMs,
    dependencies: dependencyRows.map(([, flagKey, variant]) => ({ flagKey, variant })),
    stages,
    sticky,
  };
  return {
    flag,
    teamId,
    description: description ?? "",
    featureType,
    createdAt: new Date(createdAtMs),
    killedAt: killedAtMs === null ? null : new Date(killedAtMs),
    killScheduledAt: killScheduledAtMs === null ? null : new Date(killScheduledAtMs),
    stageMeta,
    dependencyIds: dependencyRows.map(([dependsOnId]) => dependsOnId),
    contextNames,
  };
}

type StoredCondition = Partial<Condition> & { contextId?: string };

function toRule(row: RuleRow, teamId: string, contexts: ContextLists, contextNames: Map<string, string>): Rule {
  const [id, groupsOperator, storedGroups, rollout, serve] = row;
  const groups: ConditionGroup[] = (Array.isArray(storedGroups) ? storedGroups : []).map(
    (g: Partial<ConditionGroup>) => ({
      operator: (g.operator ?? "AND") as LogicOperator,
      conditions: (g.conditions ?? []).map((c: StoredCondition) => {
        const found = c.contextId ? contexts.get(c.contextId) : undefined;
        // a list of another team is never read (team scoping)
        const list = found && found.teamId === teamId ? found : undefined;
        if (list) contextNames.set(id, list.key);
        return toCondition(c, list?.values);
      }),
    }),
  );
  return {
    id,
    groupsOperator: groupsOperator as LogicOperator,
    groups,
    rollout: Number(rollout),
    serve: serve as Serve,
  };
}

/** A stored condition as the engine reads it: a context list's values join any literal values. */
function toCondition(stored: StoredCondition, listValues: string[] | undefined): Condition {
  const values = listValues ? [...new Set([...(stored.values ?? []), ...listValues])] : [...(stored.values ?? [])];
  const condition: Condition = { contextKey: stored.contextKey ?? "", operator: stored.operator as Operator, values };
  if (stored.negate) condition.negate = true;
  if (stored.caseInsensitive) condition.caseInsensitive = true;
  return condition;
}
