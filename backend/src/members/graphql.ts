/** Roles and team memberships (one role per user and team). */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as members from "./service";

export const typeDefs = /* GraphQL */ `
  "Built-in roles, per team: Viewer < Requester < Approver < Team Admin."
  type Role {
    id: ID!
    name: String!
    description: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type TeamMembership {
    team: Team!
    role: Role!
  }

  input AssignUserRolesInput {
    "Exactly one role: a user holds one role per team."
    roleIds: [ID!]!
    "The team the role applies to; may be omitted when the user belongs to exactly one team."
    teamId: ID
  }

  extend type Query {
    "The four built-in roles, by name."
    roles: [Role!]!
    "Distinct roles of the user in the teams you can see (teamId: in that team only)."
    userRoles(userId: ID!, teamId: ID): [Role!]!
  }

  extend type Mutation {
    "Team Admins of the team (or administrators): adds the user to the team or changes their role."
    setTeamMember(teamId: ID!, userId: ID!, roleId: ID!): TeamMembership!
    "Team Admins of the team (or administrators). The last Team Admin can only be removed by an administrator."
    removeTeamMember(teamId: ID!, userId: ID!): Boolean!
    """
    Replaces the user's teams with teamIds: kept memberships keep their role, new ones get Viewer. Team Admins may
    name only teams they administer, and only those teams change. Returns the user's teams you can see.
    """
    assignUserTeams(userId: ID!, teamIds: [ID!]!): [Team!]!
    "Sets the user's role in one team (compatibility form of setTeamMember)."
    assignUserRoles(userId: ID!, input: AssignUserRolesInput!): [Role!]!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Query: {
    roles: (_: unknown, __: unknown, ctx: Ctx) => members.listRoles(ctx.deps),
    userRoles: (_: unknown, args: { userId: string; teamId?: string | null }, ctx: Ctx) =>
      members.userRoles(ctx.deps, actorOf(ctx), args.userId, args.teamId),
  },
  Mutation: {
    setTeamMember: (_: unknown, args: { teamId: string; userId: string; roleId: string }, ctx: Ctx) =>
      members.setTeamMember(ctx.deps, actorOf(ctx), args),
    removeTeamMember: (_: unknown, args: { teamId: string; userId: string }, ctx: Ctx) =>
      members.removeTeamMember(ctx.deps, actorOf(ctx), args),
    assignUserTeams: (_: unknown, args: { userId: string; teamIds: string[] }, ctx: Ctx) =>
      members.assignUserTeams(ctx.deps, actorOf(ctx), args.userId, args.teamIds),
    assignUserRoles: (
      _: unknown,
      args: { userId: string; input: { roleIds: string[]; teamId?: string | null } },
      ctx: Ctx,
    ) => members.assignUserRoles(ctx.deps, actorOf(ctx), args.userId, args.input),
  },
};
