/**
 * One feature in detail: stages with their workflow and rules, variants, dependencies, kill switch,
 * its audit history, and the "test this flag" preview.
 */

import type { Explanation, JsonValue, Reason, TraceStep } from "@fluxgate/engine";
import { computed, signal } from "@preact/signals";
import { ACTIVITY_FIELDS, type ActivityEntry } from "./activity.ts";
import { api } from "./api.ts";
import {
  type ApiFeature,
  FEATURE_FIELDS,
  type Feature,
  type FeatureEdit,
  type FeatureStage,
  featureFromApi,
  rulesToApi,
  updateInput,
} from "./feature-api.ts";
import { features } from "./features.ts";
import { createResource } from "./resource.ts";
import { cleanRules, type RuleDraft } from "./rules.ts";
import type { StageStatus } from "./workflow.ts";

export type { Feature, FeatureEdit, FeatureStage };

export const feature = createResource<string, Feature>(async (id) => {
  const data = await api.request<{ feature: ApiFeature }>(
    `query Feature($id: ID!) { feature(id: $id) { ${FEATURE_FIELDS} } }`,
    {
      id,
    },
  );
  return featureFromApi(data.feature);
});

/** The entities whose audit entries make a feature's history: the feature and each of its stages. */
export function historyKey(f: Feature): string {
  return JSON.stringify({ teamId: f.teamId, ids: [f.id, ...f.stages.map((s) => s.id)] });
}

/** One request for all of them (an alias per entity), merged newest first. */
export const history = createResource<string, ActivityEntry[]>(async (key) => {
  const { teamId, ids } = JSON.parse(key) as { teamId: string; ids: string[] };
  const fields = ids
    .map(
      (_, i) =>
        `e${i}: recentActivities(teamId: $teamId, entityId: $id${i}, pageSize: 50) { items { ${ACTIVITY_FIELDS} } }`,
    )
    .join("\n");
  const params = ids.map((_, i) => `$id${i}: String!`).join(", ");
  const variables = Object.fromEntries([["teamId", teamId], ...ids.map((id, i) => [`id${i}`, id])]);
  const data = await api.request<Record<string, { items: ActivityEntry[] }>>(
    `query FeatureHistory($teamId: ID!, ${params}) { ${fields} }`,
    variables,
  );
  return Object.values(data)
    .flatMap((page) => page.items)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
});

/** Reloads the feature, its history and the list it appears in (after any change, ours or another admin's). */
export async function reloadFeature(): Promise<void> {
  await Promise.all([feature.refresh(), history.refresh(), features.refresh()]);
}

/** Keeps what a mutation returned, then refreshes what it may have changed elsewhere. */
async function settled(returned: ApiFeature | null): Promise<void> {
  if (returned && feature.key() === returned.id) feature.set(featureFromApi(returned));
  await Promise.all([history.refresh(), features.refresh()]);
}

// ---- stage workflow ----

export async function changeStage(stageId: string, to: StageStatus): Promise<void> {
  const data = await api.request<{ requestStageChange: ApiFeature }>(
    `mutation RequestStageChange($stageId: ID!, $request: StageChangeRequest!) {
      requestStageChange(stageId: $stageId, request: $request) { ${FEATURE_FIELDS} } }`,
    { stageId, request: to },
  );
  await settled(data.requestStageChange);
}

/** Sets the context key a stage buckets users on (null = targetingKey, then userId). */
export async function setBucketingKey(stageId: string, bucketingKey: string | null): Promise<void> {
  await api.request(
    `mutation UpdateStage($stageId: ID!, $input: UpdateStageInput!) {
      updateStage(stageId: $stageId, input: $input) { id } }`,
    { stageId, input: { bucketingKey } },
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

export async function saveRules(stageId: string, rules: RuleDraft[]): Promise<void> {
  await api.request(
    `mutation SetStageRules($stageId: ID!, $rules: [StageRuleInput!]!) {
      setStageRules(stageId: $stageId, rules: $rules) { id } }`,
    { stageId, rules: rulesToApi(cleanRules(rules)) },
  );
  discardRules(stageId);
  await reloadFeature();
}

// ---- feature fields, variants, dependencies ----

export function editOf(f: Feature): FeatureEdit {
  return {
    key: f.key,
    description: f.description ?? "",
    owner: f.owner ?? "",
    tags: f.tags,
    variants: f.variants,
    defaultVariant: f.defaultVariant,
    offVariant: f.offVariant,
    dependencies: f.dependencies.map((d) => ({ featureId: d.featureId, variant: d.variant })),
  };
}

export async function updateFeature(f: Feature, edit: FeatureEdit): Promise<void> {
  const data = await api.request<{ updateFeature: ApiFeature }>(
    `mutation UpdateFeature($id: ID!, $input: UpdateFeatureInput!) {
      updateFeature(id: $id, input: $input) { ${FEATURE_FIELDS} } }`,
    { id: f.id, input: updateInput(f, edit) },
  );
  await settled(data.updateFeature);
}

export async function deleteFeature(id: string): Promise<void> {
  await api.request("mutation DeleteFeature($id: ID!) { deleteFeature(id: $id) }", { id });
  feature.clear();
  await features.refresh();
}

// ---- kill switch (reference §9.1): immediate, or scheduled in N minutes ----

export async function killFeature(id: string, inMinutes: number | null): Promise<void> {
  const data = await api.request<{ emergencyDisableFeature: ApiFeature }>(
    `mutation EmergencyDisableFeature($id: ID!, $rollbackInMinutes: Int) {
      emergencyDisableFeature(id: $id, rollbackInMinutes: $rollbackInMinutes) { ${FEATURE_FIELDS} } }`,
    { id, rollbackInMinutes: inMinutes && inMinutes > 0 ? inMinutes : null },
  );
  await settled(data.emergencyDisableFeature);
}

export async function reviveFeature(id: string): Promise<void> {
  const data = await api.request<{ emergencyEnableFeature: ApiFeature }>(
    `mutation EmergencyEnableFeature($id: ID!) { emergencyEnableFeature(id: $id) { ${FEATURE_FIELDS} } }`,
    { id },
  );
  await settled(data.emergencyEnableFeature);
}

// ---- "test this flag" ----

export interface ContextRow {
  key: string;
  value: string;
}

export const previewContext = signal<ContextRow[]>([{ key: "targetingKey", value: "user-1" }]);
/** The last preview, with the feature and environment it was for. */
export const previewResult = signal<(Explanation & { featureId: string }) | null>(null);

/** Context rows as a JSON object; values stay strings (the engine reads attributes as strings). */
export function contextObject(rows: readonly ContextRow[]): Record<string, JsonValue> {
  const ctx: Record<string, JsonValue> = {};
  for (const row of rows) if (row.key.trim()) ctx[row.key.trim()] = row.value;
  return ctx;
}

interface ApiPreview {
  enabled: boolean;
  value: JsonValue;
  variant: string;
  reason: Reason;
  ruleId: string | null;
  errorCode: Explanation["result"]["errorCode"] | null;
  trace: TraceStep[];
}

export async function previewEvaluation(f: Feature, environmentId: string): Promise<void> {
  const data = await api.request<{ previewEvaluation: ApiPreview }>(
    `query PreviewEvaluation($featureId: ID!, $environmentId: ID!, $context: JSON!) {
      previewEvaluation(featureId: $featureId, environmentId: $environmentId, context: $context) {
        enabled value variant reason ruleId errorCode trace } }`,
    { featureId: f.id, environmentId, context: contextObject(previewContext.value) },
  );
  const { trace, ruleId, errorCode, ...result } = data.previewEvaluation;
  previewResult.value = {
    featureId: f.id,
    flagKey: f.key,
    environment: environmentId,
    result: { ...result, ...(ruleId ? { ruleId } : {}), ...(errorCode ? { errorCode } : {}) },
    steps: trace,
  };
}
