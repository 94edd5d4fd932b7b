/** `previewEvaluation`: evaluates a feature for a context, with the engine's decision trace. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as preview from "./service";

export const typeDefs = /* GraphQL */ `
  "What an edge would answer, with the decision trace."
  type EvaluationPreview {
    enabled: Boolean!
    value: JSON
    variant: String!
    "STATIC, TARGETING_MATCH, SPLIT, DISABLED, DEFAULT, PREREQUISITE_FAILED or ERROR."
    reason: String!
    "The rule that served the result, when one did."
    ruleId: ID
    errorCode: String
    "The engine's steps: killed, scheduled_kill, dependency, stage, rule (with rollout and split buckets), default."
    trace: JSON!
  }

  extend type Query {
    "Evaluates the feature in one of its team's environments for context (a JSON object, e.g. {targetingKey, country})."
    previewEvaluation(featureId: ID!, environmentId: ID!, context: JSON!): EvaluationPreview!
  }
`;

export const resolvers = {
  Query: {
    previewEvaluation: (
      _: unknown,
      args: { featureId: string; environmentId: string; context: unknown },
      ctx: GraphQLContext,
    ) => preview.previewEvaluation(ctx.deps, actorOf(ctx), args.featureId, args.environmentId, args.context),
  },
};
