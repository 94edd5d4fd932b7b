/**
 * Targeting: `stageRules` / `setStageRules`, the original's `getStageCriteria` / `setStageCriteria`, `updateStage`,
 * and `FeatureStage.rules` / `FeatureStage.criteria` (loaded in batches).
 */
import { requestLoader } from "../features/loaders";
import { groupBy } from "../features/repository";
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as repo from "./repository";
import type { CriterionInput, RuleInput, StoredRule } from "./rules-input";
import * as targeting from "./service";

export const typeDefs = /* GraphQL */ `
  enum LogicOperator {
    AND
    OR
  }

  enum ServeKind {
    "The flag's 'on' value: true, or the default variant."
    ON
    VARIANT
    "A weighted split between variants (the rule's weights, else the variants' own)."
    SPLIT
  }

  type Context {
    id: ID!
    teamId: ID!
    key: String!
  }

  "The original's criterion: the rule 'contextKey in <the context's values>' with a rollout, serving on."
  type StageCriterion {
    "Id of the rule."
    id: ID!
    stageId: ID!
    "Key read from the evaluation context, e.g. country."
    contextKey: String!
    contextId: ID!
    context: Context
    rolloutPercentage: Float!
  }

  type RuleCondition {
    contextKey: String!
    "An engine operator: in, not_in, equals, contains, starts_with, ends_with, regex, num_eq/lt/lte/gt/gte, semver_eq/lt/lte/gt/gte, date_before, date_after, ip_in_cidr."
    operator: String!
    "Literal operands (a context list's values join them when the flag is evaluated)."
    values: [String!]!
    contextId: ID
    context: Context
    negate: Boolean!
    caseInsensitive: Boolean!
  }

  type RuleGroup {
    operator: LogicOperator!
    conditions: [RuleCondition!]!
  }

  type SplitWeight {
    variant: String!
    weight: Int!
  }

  type RuleServe {
    kind: ServeKind!
    variant: String
    weights: [SplitWeight!]!
  }

  "One targeting rule of a stage; the first rule that matches and admits the user serves."
  type StageRule {
    id: ID!
    stageId: ID!
    "0 = first."
    priority: Int!
    groupsOperator: LogicOperator!
    "No groups: the rule matches everyone."
    groups: [RuleGroup!]!
    "Percentage of matching users admitted, 0..100 with at most 3 decimals."
    rollout: Float!
    serve: RuleServe!
  }

  extend type FeatureStage {
    "By priority."
    rules: [StageRule!]!
    "The rules that have the original's criterion shape."
    criteria: [StageCriterion!]!
  }

  "contextKey: 1 to 100 characters; contextId: a context of the team; rolloutPercentage: 0..100."
  input CreateStageCriterionInput {
    contextKey: String!
    contextId: ID!
    rolloutPercentage: Float!
  }

  """
  operator: an engine operator (case-insensitive; see RuleCondition.operator). values: the operands (single-operand
  operators take exactly one); contextId: a context of the team whose values join them (in, not_in, contains,
  starts_with, ends_with only). At least one value or a contextId.
  """
  input RuleConditionInput {
    contextKey: String!
    operator: String!
    values: [String!]
    contextId: ID
    negate: Boolean
    caseInsensitive: Boolean
  }

  input RuleGroupInput {
    operator: LogicOperator!
    conditions: [RuleConditionInput!]!
  }

  input SplitWeightInput {
    variant: String!
    weight: Int!
  }

  "VARIANT needs variant; SPLIT takes weights (non-negative integers totalling 1..1000000) or uses the variants' weights."
  input RuleServeInput {
    kind: ServeKind!
    variant: String
    weights: [SplitWeightInput!]
  }

  "groupsOperator default AND; groups default none (everyone); rollout default 100; serve default ON."
  input StageRuleInput {
    groupsOperator: LogicOperator
    groups: [RuleGroupInput!]
    rollout: Float
    serve: RuleServeInput
  }

  "bucketingKey: the context key holding the sticky value; null or empty = targetingKey, then userId."
  input UpdateStageInput {
    bucketingKey: String
  }

  extend type Query {
    getStageCriteria(stageId: ID!): [StageCriterion!]!
    stageRules(stageId: ID!): [StageRule!]!
  }

  extend type Mutation {
    "Requester or higher. Replaces every rule of the stage with one per criterion."
    setStageCriteria(stageId: ID!, criteria: [CreateStageCriterionInput!]!): [StageCriterion!]!
    "Requester or higher. Replaces every rule of the stage; list order = priority."
    setStageRules(stageId: ID!, rules: [StageRuleInput!]!): [StageRule!]!
    "Requester or higher."
    updateStage(stageId: ID!, input: UpdateStageInput!): FeatureStage!
  }
`;

type Ctx = GraphQLContext;
type Condition = StoredRule["groups"][number]["conditions"][number];

const rulesOf = (ctx: Ctx) =>
  requestLoader(ctx, "stage.rules", async (ids) => groupBy(await repo.rulesOf(ctx.deps.db, ids), (r) => r.stageId), []);

const contextOf = (ctx: Ctx) =>
  requestLoader<repo.ContextWithEntries | null>(
    ctx,
    "context",
    async (ids) => new Map((await repo.contextsOf(ctx.deps.db, ids)).map((c) => [c.id, c])),
    null,
  );

export const resolvers = {
  FeatureStage: {
    rules: (stage: { id: string }, _: unknown, ctx: Ctx) => rulesOf(ctx)(stage.id),
    criteria: async (stage: { id: string }, _: unknown, ctx: Ctx) => targeting.toCriteria(await rulesOf(ctx)(stage.id)),
  },
  StageRule: {
    rollout: (rule: repo.RuleRow) => Number(rule.rollout),
    serve: (rule: repo.RuleRow) => {
      const serve = rule.serve as StoredRule["serve"];
      return {
        kind: serve.kind.toUpperCase(),
        variant: serve.kind === "variant" ? serve.variant : null,
        weights: serve.kind === "split" ? serve.weights : [],
      };
    },
  },
  RuleCondition: {
    context: (c: Condition, _: unknown, ctx: Ctx) => (c.contextId ? contextOf(ctx)(c.contextId) : null),
    negate: (c: Condition) => c.negate ?? false,
    caseInsensitive: (c: Condition) => c.caseInsensitive ?? false,
  },
  StageCriterion: {
    context: (c: targeting.Criterion, _: unknown, ctx: Ctx) => contextOf(ctx)(c.contextId),
  },
  Query: {
    getStageCriteria: (_: unknown, args: { stageId: string }, ctx: Ctx) =>
      targeting.getStageCriteria(ctx.deps, actorOf(ctx), args.stageId),
    stageRules: (_: unknown, args: { stageId: string }, ctx: Ctx) =>
      targeting.stageRules(ctx.deps, actorOf(ctx), args.stageId),
  },
  Mutation: {
    setStageCriteria: (_: unknown, args: { stageId: string; criteria: CriterionInput[] }, ctx: Ctx) =>
      targeting.setStageCriteria(ctx.deps, actorOf(ctx), args.stageId, args.criteria),
    setStageRules: (_: unknown, args: { stageId: string; rules: RuleInput[] }, ctx: Ctx) =>
      targeting.setStageRules(ctx.deps, actorOf(ctx), args.stageId, args.rules),
    updateStage: (_: unknown, args: { stageId: string; input: { bucketingKey?: string | null } }, ctx: Ctx) =>
      targeting.updateStage(ctx.deps, actorOf(ctx), args.stageId, args.input),
  },
};
