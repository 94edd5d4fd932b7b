/** `featureChanged(teamId)`: every configuration change of a team, live. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import { watchTeamChanges } from "./service";

export const typeDefs = /* GraphQL */ `
  enum ChangeKind {
    UPSERT
    DELETE
  }

  "One committed configuration change, as the edges receive it."
  type ConfigChange {
    "Global, increasing config_version."
    version: Float!
    teamId: ID!
    kind: ChangeKind!
    "feature | client | environment | context | team"
    entity: String!
    entityId: ID!
    "Feature key (or entity name) at the time of the change."
    key: String!
    createdAt: DateTime!
  }

  extend type Subscription {
    "Every configuration change of the team (any entity), in commit order."
    featureChanged(teamId: ID!): ConfigChange!
  }
`;

export const resolvers = {
  Subscription: {
    featureChanged: {
      subscribe: (_: unknown, args: { teamId: string }, ctx: GraphQLContext) =>
        watchTeamChanges(ctx.deps, actorOf(ctx), args.teamId, ctx.refreshActor),
      resolve: (change: unknown) => change,
    },
  },
};
