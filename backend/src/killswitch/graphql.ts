/** The kill switch: `emergencyDisableFeature`, `emergencyEnableFeature`, `activeKillSwitches`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as killswitch from "./service";

export const typeDefs = /* GraphQL */ `
  extend type Query {
    """
    Killed features (killSwitchEnabled = false) and, unless includeScheduled is false, features with a scheduled
    kill (rollbackScheduledAt set, still killSwitchEnabled = true until the scheduler applies it). By key: of the
    team, or of every team you can read. pageNumber and pageSize together: that page; otherwise all.
    """
    activeKillSwitches(teamId: ID, includeScheduled: Boolean = true, pageNumber: Int, pageSize: Int): FeaturesPage!
  }

  extend type Mutation {
    """
    Approver or higher. rollbackInMinutes > 0 (at most 10080): a scheduled kill at now + N minutes (evaluators answer
    off from then; the feature is marked killed by the scheduler). Otherwise: killed now.
    """
    emergencyDisableFeature(id: ID!, rollbackInMinutes: Int): Feature!
    "Approver or higher. Releases the kill switch and cancels a scheduled kill; stages serve as deployed."
    emergencyEnableFeature(id: ID!): Feature!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Query: {
    activeKillSwitches: (_: unknown, args: killswitch.ActiveKillSwitchesArgs, ctx: Ctx) =>
      killswitch.activeKillSwitches(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    emergencyDisableFeature: (_: unknown, args: { id: string; rollbackInMinutes?: number | null }, ctx: Ctx) =>
      killswitch.emergencyDisableFeature(ctx.deps, actorOf(ctx), args.id, args.rollbackInMinutes),
    emergencyEnableFeature: (_: unknown, args: { id: string }, ctx: Ctx) =>
      killswitch.emergencyEnableFeature(ctx.deps, actorOf(ctx), args.id),
  },
};
