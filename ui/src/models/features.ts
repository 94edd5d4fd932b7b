/** The selected team's features: list, search and filters, creation from a pipeline template. */

import type { ValueType } from "@fluxgate/engine";
import { computed, signal } from "@preact/signals";
import { api } from "./api.ts";
import {
  type ApiFeature,
  FEATURE_FIELDS,
  type Feature,
  type FeatureType,
  featureFromApi,
  type VariantInput,
  valueTypeToApi,
} from "./feature-api.ts";
import type { Pipeline } from "./pipelines.ts";
import { createResource } from "./resource.ts";
import { statusTone } from "./workflow.ts";

export type { FeatureType, VariantInput };

export interface FeatureInput {
  key: string;
  description: string;
  featureType: FeatureType;
  valueType: ValueType;
  variants: VariantInput[];
  pipelineId: string;
}

export const features = createResource<string, Feature[]>(async (teamId) => {
  const data = await api.request<{ features: { items: ApiFeature[] } }>(
    `query Features($teamId: ID!) { features(teamId: $teamId) { items { ${FEATURE_FIELDS} } } }`,
    { teamId },
  );
  return data.features.items.map(featureFromApi);
});

export type StatusFilter = "all" | "live" | "pending" | "off" | "killed";

export interface FeatureFilter {
  search: string;
  status: StatusFilter;
  /** Environment the status filter looks at; "" = any environment. */
  environmentId: string;
}

export const filter = signal<FeatureFilter>({ search: "", status: "all", environmentId: "" });

export function setFilter(patch: Partial<FeatureFilter>): void {
  filter.value = { ...filter.value, ...patch };
}

/** Features matching a search (key, description, tags) and a status in one or any environment. */
export function filterFeatures(list: readonly Feature[], f: FeatureFilter): Feature[] {
  const needle = f.search.trim().toLowerCase();
  return list.filter((feature) => {
    if (needle) {
      const haystack = [feature.key, feature.description ?? "", ...feature.tags].join(" ").toLowerCase();
      if (!haystack.includes(needle)) return false;
    }
    if (f.status === "all") return true;
    if (f.status === "killed") return feature.killed;
    const stages = f.environmentId
      ? feature.stages.filter((s) => s.environment.id === f.environmentId)
      : feature.stages;
    return stages.some((s) => statusTone(s.status, s.enabled && !feature.killed) === f.status);
  });
}

export const visibleFeatures = computed(() => filterFeatures(features.data.value ?? [], filter.value));

/** The API's create input: the template's stages and relationships are copied into the feature. */
export function toFeatureApiInput(input: FeatureInput, pipeline: Pipeline) {
  const boolean = input.valueType === "boolean";
  return {
    key: input.key.trim(),
    description: input.description.trim() || null,
    featureType: input.featureType,
    valueType: valueTypeToApi(input.valueType),
    variants: boolean ? [] : input.variants,
    stages: pipeline.stages.map((s) => ({
      environmentId: s.environment.id,
      orderIndex: s.orderIndex,
      position: s.position || String(s.orderIndex),
    })),
    relationships: pipeline.relationships,
  };
}

/** Creates the feature; returns its id. */
export async function createFeature(teamId: string, input: FeatureInput, pipeline: Pipeline): Promise<string> {
  const data = await api.request<{ createFeature: string }>(
    "mutation CreateFeature($teamId: ID!, $input: CreateFeatureInput!) { createFeature(teamId: $teamId, input: $input) }",
    { teamId, input: toFeatureApiInput(input, pipeline) },
  );
  await features.refresh();
  return data.createFeature;
}

/** Feature ids by key, for pages that know flags by key only (analytics). */
export const featureIdsByKey = computed(
  () => new Map<string, string>((features.data.value ?? []).map((f) => [f.key, f.id])),
);
