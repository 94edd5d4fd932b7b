/** Environments: `environment`, `environments`, `createEnvironment`, `updateEnvironment`, `deleteEnvironment`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as environments from "./service";

export const typeDefs = /* GraphQL */ `
  type Environment {
    id: ID!
    teamId: ID!
    name: String!
    "Informational; evaluation ignores it."
    active: Boolean!
    "Deployments here need an Approver's decision; elsewhere a Requester may deploy directly."
    requiresApproval: Boolean!
    createdAt: DateTime!
  }

  type EnvironmentsPage {
    items: [Environment!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  "name: 3 to 50 characters, unique in the team. requiresApproval defaults to false."
  input CreateEnvironmentInput {
    name: String!
    active: Boolean!
    requiresApproval: Boolean
  }

  input UpdateEnvironmentInput {
    name: String
    active: Boolean
    requiresApproval: Boolean
  }

  extend type Query {
    environment(id: ID!): Environment!
    """
    Ordered by name. name: case-insensitive prefix. pageNumber (from 1) and pageSize both given: that page
    (pageSize at most 500); otherwise every environment.
    """
    environments(teamId: ID!, name: String, active: Boolean, pageNumber: Int, pageSize: Int): EnvironmentsPage!
  }

  extend type Mutation {
    "Team Admins of the team."
    createEnvironment(teamId: ID!, input: CreateEnvironmentInput!): Environment!
    "Team Admins of the team."
    updateEnvironment(id: ID!, input: UpdateEnvironmentInput!): Environment!
    """
    Team Admins of the team. Refused while a client is bound to it. Removes its pipeline and feature stages
    (their children move up to the removed stage's parent).
    """
    deleteEnvironment(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Query: {
    environment: (_: unknown, args: { id: string }, ctx: Ctx) =>
      environments.getEnvironment(ctx.deps, actorOf(ctx), args.id),
    environments: (_: unknown, args: environments.ListEnvironmentsArgs, ctx: Ctx) =>
      environments.listEnvironments(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    createEnvironment: (_: unknown, args: { teamId: string; input: environments.CreateEnvironmentInput }, ctx: Ctx) =>
      environments.createEnvironment(ctx.deps, actorOf(ctx), args.teamId, args.input),
    updateEnvironment: (_: unknown, args: { id: string; input: environments.UpdateEnvironmentInput }, ctx: Ctx) =>
      environments.updateEnvironment(ctx.deps, actorOf(ctx), args.id, args.input),
    deleteEnvironment: (_: unknown, args: { id: string }, ctx: Ctx) =>
      environments.deleteEnvironment(ctx.deps, actorOf(ctx), args.id),
  },
};
