/**
 * One feature in detail: stages with their workflow and rules, variants, dependencies, kill switch,
 * its audit history, and the "test this flag" preview.
 */

import type { Explanation, JsonValue, ValueType } from "@fluxgate/engine";
import { computed, signal } from "@preact/signals";
import type { ActivityEntry } from "./activity.ts";
import { ACTIVITY_FIELDS } from "./activity.ts";
import { api } from "./api.ts";
import { type FeatureType, features, type VariantInput } from "./features.ts";
import { createResource } from "./resource.ts";
import { cleanRules, isDraftId, type RuleDraft } from "./rules.ts";
import type { StageStatus } from "./workflow.ts";

export interface UserRef {
  id: string;
  username: string;
}

export interface FeatureStage {
  id: string;
  environment: { id: string; name: string; requiresApproval: boolean };
  orderIndex: number;
  parentStageId: string | null;
  bucketingKey: string | null;
  status: StageStatus;
  enabled: boolean;
  requestedBy: UserRef | null;
  requestedTime: string | null;
  approvedBy: UserRef | null;
  approvedTime: string | null;
  rules: RuleDraft[];
}

export interface Dependency {
  feature: { id: string; key: string };
  variant: string | null;
}

export interface Feature {
  id: string;
  key: string;
  description: string | null;
  featureType: FeatureType;
  valueType: ValueType;
  variants: VariantInput[];
  defaultVariant: string | null;
  offVariant: string | null;
  tags: string[];
  killed: boolean;
  killedAt: string | null;
  killScheduledAt: string | null;
  dependencies: Dependency[];
  stages: FeatureStage[];
}

const RULE_FIELDS = `id groupsOperator rollout
  groups { operator conditions { contextKey operator values negate caseInsensitive contextId } }
  serve { kind variant weights { variant weight } }`;

export const FEATURE_FIELDS = `id key description featureType valueType defaultVariant offVariant tags
  killed killedAt killScheduledAt
  variants { key value weight description }
  dependencies { variant feature { id key } }
  stages { id orderIndex parentStageId bucketingKey status enabled requestedTime approvedTime
    environment { id name requiresApproval }
    requestedBy { id username } approvedBy { id username }
    rules { ${RULE_FIELDS} } }`;

export const feature = createResource<string, Feature>(async (id) => {
  const data = await api.request<{ feature: Feature }>(
    `query Feature($id: ID!) { feature(id: $id) { ${FEATURE_FIELDS} } }`,
    {
      id,
    },
  );
  return { ...data.feature, stages: [...data.feature.stages].sort((a, b) => a.orderIndex - b.orderIndex) };
});

export const history = createResource<string, ActivityEntry[]>(async (id) => {
  const data = await api.request<{ recentActivities: { items: ActivityEntry[] } }>(
    `query FeatureHistory($entityId: String!) {
      recentActivities(entityType: "feature", entityId: $entityId, pageSize: 50) { items { ${ACTIVITY_FIELDS} } } }`,
    { entityId: id },
  );
  return data.recentActivities.items;
});

/** Reloads the feature, its history and the list it appears in (after any change, ours or another admin's). */
export async function reloadFeature(): Promise<void> {
  await Promise.all([feature.refresh(), history.refresh(), features.refresh()]);
}

// ---- stage workflow ----

export async function changeStage(stageId: string, to: StageStatus): Promise<void> {
  await api.request(
    `mutation RequestStageChange($stageId: ID!, $request: StageChangeRequest!) {
      requestStageChange(stageId: $stageId, request: $request) { id } }`,
    { stageId, request: to },
  );
  await reloadFeature();
}

// ---- rules: edited as drafts per stage, saved as a whole list ----

/** Unsaved rule lists, by stage id. */
export const ruleDrafts = signal<Record<string, RuleDraft[]>>({});

export function rulesOf(stage: FeatureStage): RuleDraft[] {
  return ruleDrafts.value[stage.id] ?? stage.rules;
}

export function editRules(stageId: string, rules: RuleDraft[]): void {
  ruleDrafts.value = { ...ruleDrafts.value, [stageId]: rules };
}

export function discardRules(stageId: string): void {
  const { [stageId]: _, ...rest } = ruleDrafts.value;
  ruleDrafts.value = rest;
}

export const dirtyStages = computed(() => new Set(Object.keys(ruleDrafts.value)));

/** The API's rule input: priority = position; new rules have no id yet. */
export function toRuleInput(rules: readonly RuleDraft[]) {
  return cleanRules(rules).map((rule, priority) => ({
    id: isDraftId(rule.id) ? null : rule.id,
    priority,
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
        ? { kind: "split", weights: rule.serve.weights }
        : rule.serve.kind === "variant"
          ? { kind: "variant", variant: rule.serve.variant }
          : { kind: "on" },
  }));
}

export async function saveRules(stageId: string, rules: RuleDraft[]): Promise<void> {
  await api.request(
    `mutation SetStageRules($stageId: ID!, $rules: [RuleInput!]!) { setStageRules(stageId: $stageId, rules: $rules) { id } }`,
    { stageId, rules: toRuleInput(rules) },
  );
  discardRules(stageId);
  await reloadFeature();
}

// ---- feature fields, variants, dependencies ----

export interface FeatureEdit {
  key: string;
  description: string;
  variants: VariantInput[];
  defaultVariant: string | null;
  offVariant: string | null;
  dependencies: { featureId: string; variant: string | null }[];
}

export function editOf(f: Feature): FeatureEdit {
  return {
    key: f.key,
    description: f.description ?? "",
    variants: f.variants,
    defaultVariant: f.defaultVariant,
    offVariant: f.offVariant,
    dependencies: f.dependencies.map((d) => ({ featureId: d.feature.id, variant: d.variant })),
  };
}

export async function updateFeature(id: string, edit: FeatureEdit): Promise<void> {
  await api.request(
    "mutation UpdateFeature($id: ID!, $input: UpdateFeatureInput!) { updateFeature(id: $id, input: $input) { id } }",
    { id, input: { ...edit, key: edit.key.trim(), description: edit.description.trim() || null } },
  );
  await reloadFeature();
}

export async function deleteFeature(id: string): Promise<void> {
  await api.request("mutation DeleteFeature($id: ID!) { deleteFeature(id: $id) }", { id });
  feature.clear();
  await features.refresh();
}

// ---- kill switch (reference §9.1): immediate, or scheduled in N minutes ----

export async function killFeature(id: string, inMinutes: number | null): Promise<void> {
  await api.request(
    `mutation EmergencyDisableFeature($id: ID!, $rollbackInMinutes: Int) {
      emergencyDisableFeature(id: $id, rollbackInMinutes: $rollbackInMinutes) { id } }`,
    { id, rollbackInMinutes: inMinutes && inMinutes > 0 ? inMinutes : null },
  );
  await reloadFeature();
}

export async function reviveFeature(id: string): Promise<void> {
  await api.request("mutation EmergencyEnableFeature($id: ID!) { emergencyEnableFeature(id: $id) { id } }", { id });
  await reloadFeature();
}

// ---- "test this flag" ----

export interface ContextRow {
  key: string;
  value: string;
}

export const previewContext = signal<ContextRow[]>([{ key: "targetingKey", value: "user-1" }]);
export const previewResult = signal<Explanation | null>(null);

/** Context rows as a JSON object; numbers and booleans typed in stay strings (the engine reads strings). */
export function contextObject(rows: readonly ContextRow[]): Record<string, JsonValue> {
  const ctx: Record<string, JsonValue> = {};
  for (const row of rows) if (row.key.trim()) ctx[row.key.trim()] = row.value;
  return ctx;
}

export async function previewEvaluation(featureId: string, environmentId: string): Promise<void> {
  const data = await api.request<{ previewEvaluation: Explanation }>(
    `query PreviewEvaluation($featureId: ID!, $environmentId: ID!, $context: JSON!) {
      previewEvaluation(featureId: $featureId, environmentId: $environmentId, context: $context) {
        flagKey environment steps result { enabled value variant reason ruleId errorCode } } }`,
    { featureId, environmentId, context: contextObject(previewContext.value) },
  );
  previewResult.value = data.previewEvaluation;
}
