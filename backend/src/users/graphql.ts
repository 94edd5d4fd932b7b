/** User accounts: `user`, `userByUsername`, `users`, `registerUser`, `updateUser`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as users from "./service";

export const typeDefs = /* GraphQL */ `
  type User {
    id: ID!
    username: String!
    firstName: String!
    lastName: String!
    email: String!
    "Global administrator."
    isAdmin: Boolean!
    "Disabled users cannot log in and their sessions are revoked."
    enabled: Boolean!
    isTemporaryPassword: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
    lastLogin: DateTime
    "Memberships you can see (all of them for yourself and for administrators)."
    memberships: [TeamMembership!]!
    teams: [Team!]!
    teamIds: [ID!]!
    "Distinct roles over the memberships you can see."
    roles: [Role!]!
  }

  type UsersPage {
    items: [User!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  """
  password: at least 8 characters (temporary by default); username: 3 to 100 of letters, digits and . _ @ + -.
  Team Admins must give teamId (a team they administer); roleId defaults to Viewer. Only administrators may set isAdmin.
  """
  input RegisterUserInput {
    username: String!
    password: String!
    firstName: String!
    lastName: String!
    email: String!
    isAdmin: Boolean
    isTemporaryPassword: Boolean
    teamId: ID
    roleId: ID
  }

  "Names and email: yourself or an administrator. isAdmin and enabled: administrators only."
  input UpdateUserInput {
    firstName: String
    lastName: String
    email: String
    isAdmin: Boolean
    enabled: Boolean
  }

  extend type Query {
    "Users you can see: yourself and the members of your teams (administrators: everyone)."
    user(id: ID!): User!
    userByUsername(username: String!): User!
    "Ordered by username. name: case-insensitive prefix of username, first or last name. pageSize default 10, max 200."
    users(teamId: ID, name: String, pageNumber: Int, pageSize: Int): UsersPage!
  }

  extend type Mutation {
    registerUser(input: RegisterUserInput!): User!
    updateUser(id: ID!, input: UpdateUserInput!): User!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  User: {
    teams: (user: users.UserView) => user.memberships.map((m) => m.team),
    teamIds: (user: users.UserView) => user.memberships.map((m) => m.team.id),
    roles: (user: users.UserView) => [...new Map(user.memberships.map((m) => [m.role.id, m.role])).values()],
  },
  Query: {
    user: (_: unknown, args: { id: string }, ctx: Ctx) => users.getUser(ctx.deps, actorOf(ctx), args.id),
    userByUsername: (_: unknown, args: { username: string }, ctx: Ctx) =>
      users.getUserByUsername(ctx.deps, actorOf(ctx), args.username),
    users: (_: unknown, args: users.ListUsersArgs, ctx: Ctx) => users.listUsers(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    registerUser: (_: unknown, args: { input: users.RegisterUserInput }, ctx: Ctx) =>
      users.registerUser(ctx.deps, actorOf(ctx), args.input),
    updateUser: (_: unknown, args: { id: string; input: users.UpdateUserInput }, ctx: Ctx) =>
      users.updateUser(ctx.deps, actorOf(ctx), args.id, args.input),
  },
};
