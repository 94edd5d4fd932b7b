/** The roots and scalars every domain module extends. */
import { DateTime, JSONScalar } from "./scalars";

export const typeDefs = /* GraphQL */ `
  scalar DateTime
  scalar JSON

  type Query
  type Mutation
  type Subscription
`;

export const resolvers = { DateTime, JSON: JSONScalar };
