/** The yoga server: schema, plugins, error masking, locally served GraphiQL. */
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { AppDeps } from "../deps";
import { createMaskError } from "./errors";
import type { GraphQLContext } from "./module";
import { graphqlPlugins, type TransportContext } from "./plugins";
import { buildSchema } from "./schema";

export type Yoga = YogaServerInstance<TransportContext, GraphQLContext>;

export const GRAPHQL_PATH = "/graphql";

export function createGraphQL(deps: AppDeps): Yoga {
  const log = deps.log;
  return createYoga<TransportContext, GraphQLContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    plugins: graphqlPlugins(deps),
    maskedErrors: { maskError: createMaskError(log) },
    // CORS, body size and health are Hono's (app.ts); yoga only speaks GraphQL
    cors: false,
    landingPage: false,
    maxRequestBodySize: deps.config.maxBodyBytes,
    batching: false,
    graphiql: {
      title: "FluxGate GraphQL",
      headers: JSON.stringify({ Authorization: "Bearer <token from the login mutation>" }, null, 2),
    },
    renderGraphiQL,
    // maskError logs unexpected errors itself (without SQL parameters); yoga's own error log would repeat them raw
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => log.warn(String(args[0])),
      error: () => {},
    },
  });
}
