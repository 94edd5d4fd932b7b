/** Teams: `teams`, `team`, `createTeam`, `updateTeam`, `deleteTeam`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as teams from "./service";

export const typeDefs = /* GraphQL */ `
  type Team {
    id: ID!
    name: String!
    description: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  "name: 3 to 50 characters, unique; description: at most 200 characters."
  input CreateTeamInput {
    name: String!
    description: String
  }

  input UpdateTeamInput {
    name: String
    description: String
  }

  extend type Query {
    "Administrators: every team; others: the teams they belong to. Ordered by name."
    teams: [Team!]!
    team(id: ID!): Team!
  }

  extend type Mutation {
    "Administrators only. The creator is not made a member (administrators already have every right)."
    createTeam(input: CreateTeamInput!): Team!
    "Team Admins of the team, or administrators."
    updateTeam(id: ID!, input: UpdateTeamInput!): Team!
    "Administrators only. Deletes everything in the team."
    deleteTeam(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Query: {
    teams: (_: unknown, __: unknown, ctx: Ctx) => teams.listTeams(ctx.deps, actorOf(ctx)),
    team: (_: unknown, args: { id: string }, ctx: Ctx) => teams.getTeam(ctx.deps, actorOf(ctx), args.id),
  },
  Mutation: {
    createTeam: (_: unknown, args: { input: teams.CreateTeamInput }, ctx: Ctx) =>
      teams.createTeam(ctx.deps, actorOf(ctx), args.input),
    updateTeam: (_: unknown, args: { id: string; input: teams.UpdateTeamInput }, ctx: Ctx) =>
      teams.updateTeam(ctx.deps, actorOf(ctx), args.id, args.input),
    deleteTeam: (_: unknown, args: { id: string }, ctx: Ctx) => teams.deleteTeam(ctx.deps, actorOf(ctx), args.id),
  },
};
