/** Maps a flag record to the wire `FeatureFull`: the engine flag as JSON plus the original's fields. */
import type { Flag, Rule } from "@fluxgate/engine";
import type { FeatureFull, StageCriterionFull } from "@fluxgate/proto";
import type { FlagRecord } from "./flag-assembly.ts";
import { stagesOf } from "./snapshot-repository.ts";

/** `FeatureFull` of a record; with `environmentId`, only that environment's stage is included. */
export function toFeatureFull(record: FlagRecord, environmentId?: string | null): FeatureFull {
  const flag: Flag = environmentId ? stagesOf(record.flag, environmentId) : record.flag;
  return {
    id: record.flag.id ?? "",
    key: flag.key,
    description: record.description,
    feature_type: record.featureType,
    team_id: record.teamId,
    created_at: record.createdAt.toISOString(),
    kill_switch_enabled: !flag.killed,
    kill_switch_activated_at: record.killedAt?.toISOString() ?? "",
    rollback_scheduled_at: record.killScheduledAt?.toISOString() ?? "",
    stages: flag.stages.map((stage) => {
      const meta = record.stageMeta.get(stage.environmentId);
      return {
        id: meta?.id ?? "",
        environment_id: stage.environmentId,
        order_index: meta?.orderIndex ?? 0,
        position: meta?.position ?? "",
        enabled: stage.deployed,
        bucketing_key: stage.bucketingKey ?? "",
        criterias: stage.rules.flatMap((rule) => toCriterion(rule, record.contextNames.get(rule.id))),
      };
    }),
    dependencies: flag.dependencies.map((d, i) => ({
      feature_id: record.flag.id ?? "",
      depends_on_id: record.dependencyIds[i] ?? "",
      depends_on_key: d.flagKey,
      variant: d.variant ?? "",
    })),
    salt: flag.salt,
    value_type: flag.valueType,
    variants: flag.variants.map((v) => ({ key: v.key, value_json: JSON.stringify(v.value), weight: v.weight ?? 0 })),
    default_variant: flag.defaultVariant ?? "",
    off_variant: flag.offVariant ?? "",
    killed: flag.killed,
    kill_at_unix_ms: flag.killAt ?? 0,
    sticky: flag.sticky ?? false,
    flag_json: JSON.stringify(flag),
  };
}

/**
 * The original criterion view of a rule (`context_key IN list`, rollout %): only a rule serving "on" with one
 * plain `in` condition can be shown so; richer rules travel in `flag_json` only.
 */
function toCriterion(rule: Rule, contextName: string | undefined): StageCriterionFull[] {
  if (rule.serve.kind !== "on" || rule.groups.length !== 1) return [];
  const [group] = rule.groups;
  if (group.conditions.length !== 1) return [];
  const [condition] = group.conditions;
  if (condition.operator !== "in" || condition.negate || condition.caseInsensitive) return [];
  return [
    {
      id: rule.id,
      context_key: condition.contextKey,
      context: { key: contextName ?? condition.contextKey, entries: condition.values },
      rollout_percentage: Math.round(rule.rollout),
    },
  ];
}
