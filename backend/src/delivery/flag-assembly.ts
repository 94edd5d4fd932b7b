/** Assembles loaded rows into engine flags (pure: no database). */
import type { featureDependencies, featureStages, features, featureVariants, stageRules } from "@fluxgate/drizzle";
import type {
  Condition,
  ConditionGroup,
  Flag,
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

type FeatureRow = Pick<
  typeof features.$inferSelect,
  | "id"
  | "teamId"
  | "key"
  | "salt"
  | "description"
  | "featureType"
  | "valueType"
  | "defaultVariant"
  | "offVariant"
  | "sticky"
  | "killed"
  | "killedAt"
  | "killScheduledAt"
  | "createdAt"
>;
type VariantRow = Pick<typeof featureVariants.$inferSelect, "featureId" | "key" | "value" | "weight">;
type StageRow = Pick<
  typeof featureStages.$inferSelect,
  "id" | "featureId" | "environmentId" | "orderIndex" | "position" | "bucketingKey" | "enabled"
>;
type RuleRow = Pick<
  typeof stageRules.$inferSelect,
  "id" | "stageId" | "groupsOperator" | "groups" | "rollout" | "serve"
>;
type DependencyRow = Pick<typeof featureDependencies.$inferSelect, "featureId" | "dependsOnId" | "variant"> & {
  dependsOnKey: string;
};

export interface FlagRows {
  features: FeatureRow[];
  variants: VariantRow[];
  stages: StageRow[];
  rules: RuleRow[];
  dependencies: DependencyRow[];
  contextValues: Map<string, { key: string; values: string[] }>;
}

/** Flags in the order of `rows.features`; children in the order the rows came (variants, stages, rule priority). */
export function assembleFlags(rows: FlagRows): FlagRecord[] {
  const variants = groupBy(rows.variants, (v) => v.featureId);
  const stages = groupBy(rows.stages, (s) => s.featureId);
  const rules = groupBy(rows.rules, (r) => r.stageId);
  const dependencies = groupBy(rows.dependencies, (d) => d.featureId);
  return rows.features.map((f) => {
    const contextNames = new Map<string, string>();
    const stageRows = stages.get(f.id) ?? [];
    const stageList: Stage[] = stageRows.map((s) => ({
      environmentId: s.environmentId,
      deployed: s.enabled,
      bucketingKey: s.bucketingKey,
      rules: (rules.get(s.id) ?? []).map((r) => toRule(r, rows.contextValues, contextNames)),
    }));
    const deps = dependencies.get(f.id) ?? [];
    const flag: Flag = {
      key: f.key,
      id: f.id,
      salt: f.salt,
      valueType: f.valueType as ValueType,
      variants: (variants.get(f.id) ?? []).map((v) => ({
        key: v.key,
        value: v.value as Flag["variants"][0]["value"],
        weight: v.weight,
      })),
      defaultVariant: f.defaultVariant,
      offVariant: f.offVariant,
      killed: f.killed,
      killAt: f.killScheduledAt ? f.killScheduledAt.getTime() : null,
      dependencies: deps.map((d) => ({ flagKey: d.dependsOnKey, variant: d.variant })),
      stages: stageList,
      sticky: f.sticky,
    };
    return {
      flag,
      teamId: f.teamId,
      description: f.description ?? "",
      featureType: f.featureType,
      createdAt: f.createdAt,
      killedAt: f.killedAt,
      killScheduledAt: f.killScheduledAt,
      stageMeta: new Map(
        stageRows.map((s) => [s.environmentId, { id: s.id, orderIndex: s.orderIndex, position: s.position }]),
      ),
      dependencyIds: deps.map((d) => d.dependsOnId),
      contextNames,
    };
  });
}

type StoredCondition = Partial<Condition> & { contextId?: string };

function toRule(row: RuleRow, contextValues: FlagRows["contextValues"], contextNames: Map<string, string>): Rule {
  const groups: ConditionGroup[] = (Array.isArray(row.groups) ? row.groups : []).map((g: Partial<ConditionGroup>) => ({
    operator: (g.operator ?? "AND") as LogicOperator,
    conditions: (g.conditions ?? []).map((c: StoredCondition) => {
      const list = c.contextId ? contextValues.get(c.contextId) : undefined;
      if (list) contextNames.set(row.id, list.key);
      return toCondition(c, list?.values);
    }),
  }));
  return {
    id: row.id,
    groupsOperator: row.groupsOperator as LogicOperator,
    groups,
    rollout: Number(row.rollout),
    serve: row.serve as Serve,
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

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}
