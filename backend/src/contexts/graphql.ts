/** Contexts: `context`, `contexts`, `createContext`, `updateContext`, `deleteContext`. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as contexts from "./service";

export const typeDefs = /* GraphQL */ `
  "A named list of values (countries, beta users…) that rule conditions can take their values from."
  type Context {
    id: ID!
    teamId: ID!
    key: String!
    description: String!
    "Sorted by value."
    entries: [ContextEntry!]!
    "The entries' values, sorted."
    values: [String!]!
    createdAt: DateTime!
  }

  type ContextEntry {
    id: ID!
    value: String!
  }

  type ContextsPage {
    items: [Context!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  """
  key: 1 to 100 characters, unique in the team; description: at most 500 characters. entries: values kept exactly
  as given, none blank or repeated, each at most 1000 characters, at most 10000.
  """
  input CreateContextInput {
    key: String!
    description: String
    entries: [String!]!
  }

  "entries given: replace every value."
  input UpdateContextInput {
    key: String
    description: String
    entries: [String!]
  }

  extend type Query {
    context(id: ID!): Context!
    """
    Ordered by key. key: case-insensitive prefix. pageNumber (from 1) and pageSize both given: that page
    (pageSize at most 500); otherwise every context.
    """
    contexts(teamId: ID!, key: String, pageNumber: Int, pageSize: Int): ContextsPage!
  }

  extend type Mutation {
    "Requesters and up in the team."
    createContext(teamId: ID!, input: CreateContextInput!): Context!
    "Requesters and up in the team. Edges get the flags whose rules use the context."
    updateContext(id: ID!, input: UpdateContextInput!): Context!
    "Requesters and up in the team. Refused while a rule uses the context."
    deleteContext(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  Context: {
    values: (context: contexts.ContextWithEntries) => context.entries.map((e) => e.value),
  },
  Query: {
    context: (_: unknown, args: { id: string }, ctx: Ctx) => contexts.getContext(ctx.deps, actorOf(ctx), args.id),
    contexts: (_: unknown, args: contexts.ListContextsArgs, ctx: Ctx) =>
      contexts.listContexts(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    createContext: (_: unknown, args: { teamId: string; input: contexts.CreateContextInput }, ctx: Ctx) =>
      contexts.createContext(ctx.deps, actorOf(ctx), args.teamId, args.input),
    updateContext: (_: unknown, args: { id: string; input: contexts.UpdateContextInput }, ctx: Ctx) =>
      contexts.updateContext(ctx.deps, actorOf(ctx), args.id, args.input),
    deleteContext: (_: unknown, args: { id: string }, ctx: Ctx) =>
      contexts.deleteContext(ctx.deps, actorOf(ctx), args.id),
  },
};
