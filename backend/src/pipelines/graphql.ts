/** Pipelines: `pipeline`, `pipelines`, `createPipeline`, `updatePipeline`, `deletePipeline`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as pipelines from "./service";
import { stageLoader } from "./stage-loader";

export const typeDefs = /* GraphQL */ `
  "A template of stages (one per environment) that features copy when they are created."
  type Pipeline {
    id: ID!
    teamId: ID!
    name: String!
    active: Boolean!
    createdAt: DateTime!
    "By orderIndex."
    stages: [PipelineStage!]!
    "Parent → child links between stages, by orderIndex."
    relationships: [PipelineRelationship!]!
  }

  type PipelineStage {
    id: ID!
    environment: Environment!
    orderIndex: Int!
    "Opaque layout string for the console's canvas."
    position: String!
  }

  "The stage with orderIndex targetId comes after the stage with orderIndex sourceId."
  type PipelineRelationship {
    sourceId: Int!
    targetId: Int!
  }

  type PipelinesPage {
    items: [Pipeline!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  "environmentId: an environment of the team, once per pipeline; orderIndex: 0 or more, unique; position: 1 to 50 characters."
  input CreateStageInput {
    environmentId: ID!
    orderIndex: Int!
    position: String!
  }

  input CreateRelationshipInput {
    sourceId: Int!
    targetId: Int!
  }

  """
  name: 5 to 100 characters, unique in the team; active defaults to true. stages: at least one; relationships:
  exactly stages − 1, naming orderIndexes, each stage after at most one other, no cycles.
  """
  input CreatePipelineInput {
    name: String!
    active: Boolean
    stages: [CreateStageInput!]!
    relationships: [CreateRelationshipInput!]!
  }

  "stages given: every stage is replaced (relationships as for create); omitted: stages stay."
  input UpdatePipelineInput {
    name: String
    active: Boolean
    stages: [CreateStageInput!]
    relationships: [CreateRelationshipInput!]
  }

  extend type Query {
    pipeline(id: ID!): Pipeline!
    """
    Ordered by name. name: case-insensitive prefix. pageNumber (from 1) and pageSize both given: that page
    (pageSize at most 500); otherwise every pipeline.
    """
    pipelines(teamId: ID!, name: String, active: Boolean, pageNumber: Int, pageSize: Int): PipelinesPage!
  }

  extend type Mutation {
    "Team Admins of the team. Returns the new pipeline's id."
    createPipeline(teamId: ID!, input: CreatePipelineInput!): ID!
    "Team Admins of the team."
    updatePipeline(id: ID!, input: UpdatePipelineInput!): Pipeline!
    "Team Admins of the team. Features created from it keep their stages."
    deletePipeline(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;
type Stages = pipelines.StageWithEnvironment[];

const stagesOf = (pipeline: pipelines.PipelineRow, ctx: Ctx): Promise<Stages> =>
  stageLoader(ctx, ctx.deps.db)(pipeline.id);

function relationships(stages: Stages) {
  const orderIndexById = new Map(stages.map((s) => [s.id, s.orderIndex]));
  return stages
    .filter((s) => s.parentStageId !== null && orderIndexById.has(s.parentStageId))
    .map((s) => ({ sourceId: orderIndexById.get(s.parentStageId as string) as number, targetId: s.orderIndex }));
}

export const resolvers = {
  Pipeline: {
    stages: (pipeline: pipelines.PipelineRow, _: unknown, ctx: Ctx) => stagesOf(pipeline, ctx),
    relationships: async (pipeline: pipelines.PipelineRow, _: unknown, ctx: Ctx) =>
      relationships(await stagesOf(pipeline, ctx)),
  },
  Query: {
    pipeline: (_: unknown, args: { id: string }, ctx: Ctx) => pipelines.getPipeline(ctx.deps, actorOf(ctx), args.id),
    pipelines: (_: unknown, args: pipelines.ListPipelinesArgs, ctx: Ctx) =>
      pipelines.listPipelines(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    createPipeline: (_: unknown, args: { teamId: string; input: pipelines.CreatePipelineInput }, ctx: Ctx) =>
      pipelines.createPipeline(ctx.deps, actorOf(ctx), args.teamId, args.input),
    updatePipeline: (_: unknown, args: { id: string; input: pipelines.UpdatePipelineInput }, ctx: Ctx) =>
      pipelines.updatePipeline(ctx.deps, actorOf(ctx), args.id, args.input),
    deletePipeline: (_: unknown, args: { id: string }, ctx: Ctx) =>
      pipelines.deletePipeline(ctx.deps, actorOf(ctx), args.id),
  },
};
