/**
 * Edge clients: `client`, `clients`, `clientsCount`, `createClient`, `updateClient`, `rotateClientSecret`,
 * `deleteClient`. Reads never carry the secret or its hash, only `secretPrefix`.
 */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as clients from "./service";

export const typeDefs = /* GraphQL */ `
  enum ClientType {
    "Browser code: bound to its webOrigins."
    WEB
    "Server-side code."
    BACKEND
  }

  "A credential for edges and SDKs."
  type Client {
    id: ID!
    teamId: ID!
    name: String!
    description: String
    "Disabled clients are refused and their streams cut off."
    enabled: Boolean!
    clientType: ClientType!
    "The one environment it may read; null: every environment of its team."
    environmentId: ID
    "Origins a WEB client may be called from (scheme://host[:port]); empty for BACKEND."
    webOrigins: [String!]!
    "The secret's first characters (e.g. fgs_ab12), to recognise it; the secret itself is shown once."
    secretPrefix: String!
    secretRotatedAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  "Returned by createClient and rotateClientSecret only: the secret is never shown again."
  type ClientWithSecret {
    client: Client!
    secret: String!
  }

  type ClientsPage {
    items: [Client!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  """
  name: 3 to 100 characters, unique in the team; description: at most 500 characters; enabled defaults to true.
  environmentId: an environment of the team (omit for every environment). webOrigins: at least one for WEB, none
  for BACKEND; each scheme://host[:port] with http or https, no path, no wildcard.
  """
  input CreateClientInput {
    name: String!
    description: String
    enabled: Boolean
    clientType: ClientType!
    environmentId: ID
    webOrigins: [String!]
  }

  """
  Changes what is given. environmentId null unbinds. webOrigins given replaces the origins; switching to BACKEND
  without webOrigins drops them.
  """
  input UpdateClientInput {
    name: String
    description: String
    enabled: Boolean
    clientType: ClientType
    environmentId: ID
    webOrigins: [String!]
  }

  extend type Query {
    client(id: ID!): Client!
    """
    Ordered by name. name: case-insensitive prefix. pageNumber (from 1) and pageSize both given: that page
    (pageSize at most 500); otherwise every client.
    """
    clients(
      teamId: ID!
      name: String
      enabled: Boolean
      clientType: ClientType
      pageNumber: Int
      pageSize: Int
    ): ClientsPage!
    "Clients of the team, or without teamId of every team you can read."
    clientsCount(teamId: ID, enabled: Boolean): Int!
  }

  extend type Mutation {
    "Team Admins of the team. The secret is in the result and nowhere else."
    createClient(teamId: ID!, input: CreateClientInput!): ClientWithSecret!
    "Team Admins of the team."
    updateClient(id: ID!, input: UpdateClientInput!): Client!
    "Team Admins of the team. A new secret, shown once; the old one stops working at once."
    rotateClientSecret(id: ID!): ClientWithSecret!
    "Team Admins of the team. Its evaluation history goes with it."
    deleteClient(id: ID!): Boolean!
  }
`;

type Ctx = GraphQLContext;
type WireType = "WEB" | "BACKEND";
/** Args as they arrive: `clientType` in the wire's casing. */
type Wire<T> = Omit<T, "clientType"> & { clientType?: WireType | null };

const TYPES: Record<WireType, clients.ClientType> = { WEB: "Web", BACKEND: "Backend" };
const typeOf = (wire: WireType | null | undefined) => (wire ? TYPES[wire] : undefined);

export const resolvers = {
  Client: {
    clientType: (client: clients.ClientView) => client.clientType.toUpperCase(),
  },
  Query: {
    client: (_: unknown, args: { id: string }, ctx: Ctx) => clients.getClient(ctx.deps, actorOf(ctx), args.id),
    clients: (_: unknown, args: Wire<clients.ListClientsArgs>, ctx: Ctx) =>
      clients.listClients(ctx.deps, actorOf(ctx), { ...args, clientType: typeOf(args.clientType) }),
    clientsCount: (_: unknown, args: { teamId?: string | null; enabled?: boolean | null }, ctx: Ctx) =>
      clients.countClients(ctx.deps, actorOf(ctx), args),
  },
  Mutation: {
    createClient: (_: unknown, args: { teamId: string; input: Wire<clients.CreateClientInput> }, ctx: Ctx) =>
      clients.createClient(ctx.deps, actorOf(ctx), args.teamId, {
        ...args.input,
        clientType: typeOf(args.input.clientType) as clients.ClientType,
      }),
    updateClient: (_: unknown, args: { id: string; input: Wire<clients.UpdateClientInput> }, ctx: Ctx) =>
      clients.updateClient(ctx.deps, actorOf(ctx), args.id, {
        ...args.input,
        clientType: typeOf(args.input.clientType),
      }),
    rotateClientSecret: (_: unknown, args: { id: string }, ctx: Ctx) =>
      clients.rotateClientSecret(ctx.deps, actorOf(ctx), args.id),
    deleteClient: (_: unknown, args: { id: string }, ctx: Ctx) => clients.deleteClient(ctx.deps, actorOf(ctx), args.id),
  },
};
