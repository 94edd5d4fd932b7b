/**
 * Features: `feature`, `features`, `featuresCount`, `createFeature`, `updateFeature`, `deleteFeature`, and the
 * `Feature` / `FeatureStage` types every feature-returning operation shares (their lists load in batches).
 */
import { actorOf, type GraphQLContext } from "../graphql/module";
import type { FeatureInput } from "./input";
import { requestLoader } from "./loaders";
import * as repo from "./repository";
import * as features from "./service";

export const typeDefs = /* GraphQL */ `
  enum FeatureType {
    SIMPLE
    CONTEXTUAL
  }

  "BOOLEAN flags serve true/false (variants on/off); the others serve one of their variants."
  enum ValueType {
    BOOLEAN
    STRING
    NUMBER
    JSON
  }

  "Deployment workflow status of a stage (reference §6.6)."
  enum StageStatus {
    NOT_DEPLOYED
    DEPLOYMENT_REQUESTED
    DEPLOYMENT_REJECTED
    DEPLOYED
    ROLLBACK_REQUESTED
    ROLLBACK_REJECTED
    ROLLBACKED
  }

  type Environment {
    id: ID!
    name: String!
  }

  type FeatureVariant {
    key: String!
    value: JSON!
    "Default weight in a split that gives no weights of its own."
    weight: Int!
    description: String
  }

  type FeatureDependency {
    featureId: ID!
    key: String!
    "Null: the feature depended on must be on; else it must serve this variant."
    variant: String
  }

  "A parent → child link between stages, by orderIndex (source = parent)."
  type FeatureRelationship {
    sourceId: Int!
    targetId: Int!
  }

  "One environment of one feature."
  type FeatureStage {
    id: ID!
    featureId: ID!
    environmentId: ID!
    environment: Environment!
    "Deploying and rolling back here needs a request approved by someone else."
    requiresApproval: Boolean!
    orderIndex: Int!
    position: String!
    "Context key holding the sticky value; null = targetingKey, then userId."
    bucketingKey: String
    status: StageStatus!
    "What evaluators read: true from DEPLOYED until ROLLBACKED."
    enabled: Boolean!
    parentStageId: ID
    requestedBy: ID
    requestedAt: DateTime
    "Who approved or rejected the last request (or deployed directly)."
    approvedBy: ID
    approvedAt: DateTime
  }

  type Feature {
    id: ID!
    teamId: ID!
    key: String!
    "Bucketing salt: the key at creation, kept on renames so users keep their buckets."
    salt: String!
    description: String
    featureType: FeatureType!
    valueType: ValueType!
    variants: [FeatureVariant!]!
    defaultVariant: String
    offVariant: String
    owner: String
    tags: [String!]!
    "The edge keeps 'once on, always on' per user."
    sticky: Boolean!
    "Always null, as in the original: whether a feature is on is decided per stage."
    enabled: Boolean
    """
    The original's inverted name: true = the kill switch is NOT engaged (the feature may serve); false = killed.
    A scheduled kill (rollbackScheduledAt) leaves it true until the scheduler applies it, although evaluators
    already answer off once that time has passed.
    """
    killSwitchEnabled: Boolean!
    "When the kill switch was engaged; null while not killed."
    killSwitchActivatedAt: DateTime
    "Despite the original's name: when a scheduled kill takes effect (null = none scheduled)."
    rollbackScheduledAt: DateTime
    "Ids of the features this one depends on (the original's shape)."
    dependencies: [ID!]!
    "The same dependencies with keys and required variants."
    dependsOn: [FeatureDependency!]!
    relationships: [FeatureRelationship!]!
    "Ordered by orderIndex."
    stages: [FeatureStage!]!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type FeaturesPage {
    items: [Feature!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  input FeatureVariantInput {
    "1 to 100 letters, digits, '.', '_' or '-'; unique in the feature."
    key: String!
    "A value of the feature's valueType (JSON takes anything)."
    value: JSON!
    weight: Int
    description: String
  }

  input FeatureDependencyInput {
    featureId: ID!
    variant: String
  }

  input FeatureRelationshipInput {
    sourceId: Int!
    targetId: Int!
  }

  """
  id: an existing stage of the feature (on update; without it a stage is matched by environment).
  orderIndex >= 0 and environmentId unique per feature; position at most 100 characters.
  """
  input CreateFeatureStageInput {
    id: ID
    environmentId: ID!
    orderIndex: Int!
    position: String
    bucketingKey: String
  }

  """
  key: 3 to 100 letters, digits, '.', '_' or '-', unique in the team. stages: at least one.
  dependencies (ids) and dependsOn (with a variant) are features of the same team; no cycles.
  relationships link stages by orderIndex: each stage has at most one parent, no cycles.
  """
  input CreateFeatureInput {
    key: String!
    description: String
    featureType: FeatureType!
    "Default BOOLEAN."
    valueType: ValueType
    variants: [FeatureVariantInput!]
    defaultVariant: String
    offVariant: String
    owner: String
    tags: [String!]
    "Default true."
    sticky: Boolean
    dependencies: [ID!]
    dependsOn: [FeatureDependencyInput!]
    relationships: [FeatureRelationshipInput!]
    stages: [CreateFeatureStageInput!]!
  }

  """
  Full replacement, as CreateFeatureInput. Optional fields left out keep their value (null clears); lists given
  replace. Stages are matched by id, else by environment: matched stages keep status, enabled bit and rules,
  new ones start NOT_DEPLOYED, stages left out are deleted. A stage cannot move to another environment.
  """
  input UpdateFeatureInput {
    key: String!
    description: String
    featureType: FeatureType!
    valueType: ValueType
    variants: [FeatureVariantInput!]
    defaultVariant: String
    offVariant: String
    owner: String
    tags: [String!]
    sticky: Boolean
    dependencies: [ID!]
    dependsOn: [FeatureDependencyInput!]
    relationships: [FeatureRelationshipInput!]
    stages: [CreateFeatureStageInput!]!
  }

  extend type Query {
    feature(id: ID!): Feature!
    """
    A team's features ordered by key. name: case-insensitive prefix of the key (never a substring).
    pageNumber and pageSize (max 500) together: that page; otherwise every feature.
    """
    features(teamId: ID!, name: String, featureType: FeatureType, pageNumber: Int, pageSize: Int): FeaturesPage!
    "Features of the team, or of every team you can read."
    featuresCount(teamId: ID): Int!
  }

  extend type Mutation {
    "Requester or higher. Stages start NOT_DEPLOYED. Returns the new feature's id."
    createFeature(teamId: ID!, input: CreateFeatureInput!): ID!
    "Requester or higher."
    updateFeature(id: ID!, input: UpdateFeatureInput!): Feature!
    "Requester or higher. Refused (CONFLICT) while other features depend on it."
    deleteFeature(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;
type Feature = repo.FeatureRow;
type Stage = repo.StageRow;

const stagesOf = (ctx: Ctx) =>
  requestLoader(
    ctx,
    "feature.stages",
    async (ids) => repo.groupBy(await repo.stagesOf(ctx.deps.db, ids), (s) => s.featureId),
    [],
  );

const variantsOf = (ctx: Ctx) =>
  requestLoader(
    ctx,
    "feature.variants",
    async (ids) => repo.groupBy(await repo.variantsOf(ctx.deps.db, ids), (v) => v.featureId),
    [],
  );

const dependenciesOf = (ctx: Ctx) =>
  requestLoader(
    ctx,
    "feature.dependencies",
    async (ids) => repo.groupBy(await repo.dependenciesOf(ctx.deps.db, ids), (d) => d.featureId),
    [],
  );

const environmentOf = (ctx: Ctx) =>
  requestLoader<repo.EnvironmentRow | null>(
    ctx,
    "environment",
    async (ids) => new Map((await repo.environmentsOf(ctx.deps.db, ids)).map((e) => [e.id, e])),
    null,
  );

/** Parent links of the stages as orderIndex pairs. */
function relationships(stages: Stage[]): { sourceId: number; targetId: number }[] {
  const orderOf = new Map(stages.map((s) => [s.id, s.orderIndex]));
  return stages.flatMap((s) => {
    const parent = s.parentStageId ? orderOf.get(s.parentStageId) : undefined;
    return parent === undefined ? [] : [{ sourceId: parent, targetId: s.orderIndex }];
  });
}

export const resolvers = {
  Feature: {
    featureType: (f: Feature) => f.featureType.toUpperCase(),
    valueType: (f: Feature) => f.valueType.toUpperCase(),
    enabled: () => null,
    killSwitchEnabled: (f: Feature) => !f.killed,
    killSwitchActivatedAt: (f: Feature) => f.killedAt,
    rollbackScheduledAt: (f: Feature) => f.killScheduledAt,
    variants: (f: Feature, _: unknown, ctx: Ctx) => variantsOf(ctx)(f.id),
    stages: (f: Feature, _: unknown, ctx: Ctx) => stagesOf(ctx)(f.id),
    relationships: async (f: Feature, _: unknown, ctx: Ctx) => relationships(await stagesOf(ctx)(f.id)),
    dependencies: async (f: Feature, _: unknown, ctx: Ctx) =>
      (await dependenciesOf(ctx)(f.id)).map((d) => d.dependsOnId),
    dependsOn: async (f: Feature, _: unknown, ctx: Ctx) =>
      (await dependenciesOf(ctx)(f.id)).map((d) => ({
        featureId: d.dependsOnId,
        key: d.dependsOnKey,
        variant: d.variant,
      })),
  },
  FeatureStage: {
    environment: (s: Stage, _: unknown, ctx: Ctx) => environmentOf(ctx)(s.environmentId),
    requiresApproval: async (s: Stage, _: unknown, ctx: Ctx) =>
      (await environmentOf(ctx)(s.environmentId))?.requiresApproval ?? true,
    requestedBy: (s: Stage) => s.requestedUser,
    requestedAt: (s: Stage) => s.requestedTime,
    approvedBy: (s: Stage) => s.approvedUser,
    approvedAt: (s: Stage) => s.approvedTime,
  },
  Query: {
    feature: (_: unknown, args: { id: string }, ctx: Ctx) => features.getFeature(ctx.deps, actorOf(ctx), args.id),
    features: (_: unknown, args: features.FeaturesArgs, ctx: Ctx) =>
      features.listFeatures(ctx.deps, actorOf(ctx), args),
    featuresCount: (_: unknown, args: { teamId?: string | null }, ctx: Ctx) =>
      features.featuresCount(ctx.deps, actorOf(ctx), args.teamId),
  },
  Mutation: {
    createFeature: (_: unknown, args: { teamId: string; input: FeatureInput }, ctx: Ctx) =>
      features.createFeature(ctx.deps, actorOf(ctx), args.teamId, args.input),
    updateFeature: (_: unknown, args: { id: string; input: FeatureInput }, ctx: Ctx) =>
      features.updateFeature(ctx.deps, actorOf(ctx), args.id, args.input),
    deleteFeature: (_: unknown, args: { id: string }, ctx: Ctx) =>
      features.deleteFeature(ctx.deps, actorOf(ctx), args.id),
  },
};
