/** The deployment workflow: `requestStageChange`, `pendingApprovals`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as workflow from "./service";
import type { StageStatus } from "./transitions";

export const typeDefs = /* GraphQL */ `
  "A requested stage status (reference §6.6)."
  enum StageChangeRequest {
    DEPLOYMENT_REQUESTED
    DEPLOYMENT_REJECTED
    DEPLOYED
    ROLLBACK_REQUESTED
    ROLLBACK_REJECTED
    ROLLBACKED
  }

  extend type Query {
    """
    Features with a stage in DEPLOYMENT_REQUESTED or ROLLBACK_REQUESTED, by key: of the team, or of every team you
    can read. pageNumber and pageSize together: that page; otherwise all.
    """
    pendingApprovals(teamId: ID, pageNumber: Int, pageSize: Int): FeaturesPage!
  }

  extend type Mutation {
    """
    Moves a stage through the workflow: NOT_DEPLOYED → DEPLOYMENT_REQUESTED → DEPLOYED | DEPLOYMENT_REJECTED,
    DEPLOYED → ROLLBACK_REQUESTED → ROLLBACKED | ROLLBACK_REJECTED, and re-requests from the rejected states and
    ROLLBACKED. Requests need a Requester; approving or rejecting needs an Approver other than the requester.
    Where the environment does not require approval a Requester may also deploy (from NOT_DEPLOYED,
    DEPLOYMENT_REJECTED, ROLLBACKED) and roll back (from DEPLOYED, ROLLBACK_REJECTED) directly.
    DEPLOYED switches the stage on, ROLLBACKED off. Returns the feature.
    """
    requestStageChange(stageId: ID!, request: StageChangeRequest!): Feature!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Query: {
    pendingApprovals: (_: unknown, args: workflow.PendingApprovalsArgs, ctx: Ctx) =>
      workflow.pendingApprovals(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    requestStageChange: (_: unknown, args: { stageId: string; request: StageStatus }, ctx: Ctx) =>
      workflow.requestStageChange(ctx.deps, actorOf(ctx), args.stageId, args.request),
  },
};
