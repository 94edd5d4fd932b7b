/**
 * Features as the API sends them and as the console holds them. The API keeps the original's names
 * (`killSwitchEnabled` true = NOT killed, `rollbackScheduledAt` = the scheduled kill) and upper-case enums;
 * the console uses the engine's vocabulary (`killed`, `valueType: "boolean"`, `serve.kind: "split"`).
 * This file is the one place that translates.
 */
import type { JsonValue, ValueType } from "@fluxgate/engine";
import type { RuleDraft } from "./rules.ts";
import type { StageStatus } from "./workflow.ts";

export type FeatureType = "SIMPLE" | "CONTEXTUAL";
type ApiValueType = "BOOLEAN" | "STRING" | "NUMBER" | "JSON";
type ApiServeKind = "ON" | "VARIANT" | "SPLIT";

export interface VariantInput {
  key: string;
  value: JsonValue;
  weight: number;
  description?: string | null;
}

export interface FeatureStage {
  id: string;
  environment: { id: string; name: string };
  /** Deploying and rolling back here needs someone else's approval. */
  requiresApproval: boolean;
  orderIndex: number;
  position: string;
  parentStageId: string | null;
  bucketingKey: string | null;
  status: StageStatus;
  /** Serving its rules: from DEPLOYED until ROLLBACKED. */
  enabled: boolean;
  /** User ids. */
  requestedBy: string | null;
  requestedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  rules: RuleDraft[];
}

export interface Dependency {
  featureId: string;
  key: string;
  /** Null: must be on; else must serve this variant. */
  variant: string | null;
}

export interface Feature {
  id: string;
  teamId: string;
  key: string;
  description: string | null;
  featureType: FeatureType;
  valueType: ValueType;
  variants: VariantInput[];
  defaultVariant: string | null;
  offVariant: string | null;
  owner: string | null;
  tags: string[];
  killed: boolean;
  killedAt: string | null;
  killScheduledAt: string | null;
  dependencies: Dependency[];
  relationships: { sourceId: number; targetId: number }[];
  stages: FeatureStage[];
}

const RULE_FIELDS = `id groupsOperator rollout
  groups { operator conditions { contextKey operator values contextId negate caseInsensitive } }
  serve { kind variant weights { variant weight } }`;

/** The selection for a feature with everything the console shows. */
export const FEATURE_FIELDS = `id teamId key description featureType valueType defaultVariant offVariant owner tags
  killSwitchEnabled killSwitchActivatedAt rollbackScheduledAt
  variants { key value weight description }
  dependsOn { featureId key variant }
  relationships { sourceId targetId }
  stages { id orderIndex position parentStageId bucketingKey status enabled requiresApproval
    requestedBy requestedAt approvedBy approvedAt
    environment { id name }
    rules { ${RULE_FIELDS} } }`;

interface ApiRule extends Omit<RuleDraft, "serve"> {
  serve: { kind: ApiServeKind; variant: string | null; weights: { variant: string; weight: number }[] };
}

export interface ApiFeature
  extends Omit<Feature, "valueType" | "killed" | "killedAt" | "killScheduledAt" | "dependencies" | "stages"> {
  valueType: ApiValueType;
  killSwitchEnabled: boolean;
  killSwitchActivatedAt: string | null;
  rollbackScheduledAt: string | null;
  dependsOn: Dependency[];
  stages: (Omit<FeatureStage, "rules"> & { rules: ApiRule[] })[];
}

function ruleFromApi(rule: ApiRule): RuleDraft {
  const { serve } = rule;
  return {
    ...rule,
    serve:
      serve.kind === "SPLIT"
        ? { kind: "split", weights: serve.weights }
        : serve.kind === "VARIANT"
          ? { kind: "variant", variant: serve.variant ?? "" }
          : { kind: "on" },
  };
}

export function featureFromApi(api: ApiFeature): Feature {
  const { killSwitchEnabled, killSwitchActivatedAt, rollbackScheduledAt, dependsOn, ...rest } = api;
  return {
    ...rest,
    valueType: api.valueType.toLowerCase() as ValueType,
    killed: !killSwitchEnabled,
    killedAt: killSwitchActivatedAt,
    killScheduledAt: rollbackScheduledAt,
    dependencies: dependsOn,
    stages: [...api.stages]
      .sort((a, b) => a.orderIndex - b.orderIndex)
      .map((s) => ({ ...s, rules: s.rules.map(ruleFromApi) })),
  };
}

export function valueTypeToApi(type: ValueType): ApiValueType {
  return type.toUpperCase() as ApiValueType;
}

/** `setStageRules` input: list order is the priority; contexts stand in for typed values. */
export function rulesToApi(rules: readonly RuleDraft[]) {
  return rules.map((rule) => ({
    groupsOperator: rule.groupsOperator,
    rollout: rule.rollout,
    groups: rule.groups.map((g) => ({
      operator: g.operator,
      conditions: g.conditions.map((c) => ({
        contextKey: c.contextKey,
        operator: c.operator,
        values: c.contextId ? [] : c.values,
        contextId: c.contextId || null,
        negate: c.negate === true,
        caseInsensitive: c.caseInsensitive === true,
      })),
    })),
    serve:
      rule.serve.kind === "split"
        ? { kind: "SPLIT", weights: rule.serve.weights }
        : rule.serve.kind === "variant"
          ? { kind: "VARIANT", variant: rule.serve.variant }
          : { kind: "ON" },
  }));
}

/** What the settings form edits. */
export interface FeatureEdit {
  key: string;
  description: string;
  owner: string;
  tags: string[];
  variants: VariantInput[];
  defaultVariant: string | null;
  offVariant: string | null;
  dependencies: { featureId: string; variant: string | null }[];
}

/**
 * `updateFeature` is a full replacement: the edited fields, plus the stages as they are (by id, so they keep
 * their status and rules) and their relationships.
 */
export function updateInput(feature: Feature, edit: FeatureEdit) {
  const boolean = feature.valueType === "boolean";
  return {
    key: edit.key.trim(),
    description: edit.description.trim() || null,
    owner: edit.owner.trim() || null,
    tags: [...new Set(edit.tags.map((t) => t.trim()).filter(Boolean))],
    featureType: feature.featureType,
    valueType: valueTypeToApi(feature.valueType),
    ...(boolean ? {} : { variants: edit.variants, defaultVariant: edit.defaultVariant, offVariant: edit.offVariant }),
    dependsOn: edit.dependencies,
    stages: feature.stages.map((s) => ({
      id: s.id,
      environmentId: s.environment.id,
      orderIndex: s.orderIndex,
      position: s.position,
      bucketingKey: s.bucketingKey,
    })),
    relationships: feature.relationships,
  };
}
