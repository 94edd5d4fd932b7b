/** Pipeline templates: environments in order, each stage "comes after" a parent (a tree, usually a chain). */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export interface PipelineStage {
  id: string;
  environment: { id: string; name: string };
  orderIndex: number;
  position: string;
}

/** Edge between stages, by their `orderIndex` (reference §7.2). */
export interface Relationship {
  sourceId: number;
  targetId: number;
}

export interface Pipeline {
  id: string;
  name: string;
  active: boolean;
  stages: PipelineStage[];
  relationships: Relationship[];
}

/** A stage as edited: the environment and the index of the stage it follows (null = a root). */
export interface StageDraft {
  environmentId: string;
  after: number | null;
}

export interface PipelineInput {
  name: string;
  active: boolean;
  stages: StageDraft[];
}

const FIELDS = `id name active stages { id orderIndex position environment { id name } }
  relationships { sourceId targetId }`;

export const pipelines = createResource<string, Pipeline[]>(async (teamId) => {
  const data = await api.request<{ pipelines: { items: Pipeline[] } }>(
    `query Pipelines($teamId: ID!) { pipelines(teamId: $teamId) { items { ${FIELDS} } } }`,
    { teamId },
  );
  return data.pipelines.items;
});

/** The API's shape: stages with order indexes and parent→child relationships between those indexes. */
export function toPipelineApiInput(input: PipelineInput) {
  return {
    name: input.name.trim(),
    active: input.active,
    stages: input.stages.map((s, i) => ({ environmentId: s.environmentId, orderIndex: i, position: String(i) })),
    relationships: input.stages.flatMap((s, i) => (s.after === null ? [] : [{ sourceId: s.after, targetId: i }])),
  };
}

/** Back to drafts: stages by order index, each with the index of its parent. */
export function toStageDrafts(pipeline: Pipeline): StageDraft[] {
  const ordered = [...pipeline.stages].sort((a, b) => a.orderIndex - b.orderIndex);
  const index = new Map(ordered.map((s, i) => [s.orderIndex, i]));
  return ordered.map((stage) => {
    const parent = pipeline.relationships.find((r) => r.targetId === stage.orderIndex);
    return { environmentId: stage.environment.id, after: parent ? (index.get(parent.sourceId) ?? null) : null };
  });
}

export async function createPipeline(teamId: string, input: PipelineInput): Promise<void> {
  await api.request(
    "mutation CreatePipeline($teamId: ID!, $input: CreatePipelineInput!) { createPipeline(teamId: $teamId, input: $input) }",
    { teamId, input: toPipelineApiInput(input) },
  );
  await pipelines.refresh();
}

export async function updatePipeline(id: string, input: PipelineInput): Promise<void> {
  await api.request(
    "mutation UpdatePipeline($id: ID!, $input: UpdatePipelineInput!) { updatePipeline(id: $id, input: $input) { id } }",
    { id, input: toPipelineApiInput(input) },
  );
  await pipelines.refresh();
}

export async function deletePipeline(id: string): Promise<void> {
  await api.request("mutation DeletePipeline($id: ID!) { deletePipeline(id: $id) }", { id });
  await pipelines.refresh();
}
