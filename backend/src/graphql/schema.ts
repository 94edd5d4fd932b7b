/** Builds the executable schema from the domain modules (SDL first; same-named types merge). */
import type { GraphQLSchema } from "graphql";
import { printSchema } from "graphql";
import { createSchema } from "graphql-yoga";
import type { GraphQLContext, GraphQLModule } from "./module";
import { modules as defaultModules } from "./modules";

export function buildSchema(modules: GraphQLModule[] = defaultModules): GraphQLSchema {
  return createSchema<GraphQLContext>({
    typeDefs: modules.map((m) => m.typeDefs),
    // biome-ignore lint/suspicious/noExplicitAny: graphql-tools' IResolvers is looser than our Resolvers
    resolvers: modules.map((m) => m.resolvers) as any,
  });
}

/** The SDL committed as backend/schema.graphql. */
export const printedSchema = (schema: GraphQLSchema = buildSchema()): string => `${printSchema(schema)}\n`;
