/** What every domain's `graphql.ts` exports, and the context resolvers receive. */
import type { GraphQLScalarType } from "graphql";
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import { AppError } from "../errors";

export interface GraphQLContext {
  deps: AppDeps;
  /** Null for anonymous calls (only the allow-listed operations get that far, see plugins.ts). */
  actor: Actor | null;
  /** Why a presented token was refused (reported only when the operation needs authentication). */
  authFailure?: AppError;
  /** Client IP from the socket (or X-Forwarded-For when `trust_proxy`); null when unknown. */
  clientIp: string | null;
  /** Re-authenticates with the same credentials (long-lived subscriptions call it before each event). */
  refreshActor(): Promise<Actor | null>;
}

// biome-ignore lint/suspicious/noExplicitAny: resolver signatures vary per field; each resolver types its own args
export type Resolver = (parent: any, args: any, ctx: GraphQLContext, info: any) => unknown;

export interface SubscriptionResolver {
  subscribe: Resolver;
  resolve?: Resolver;
}

export type Resolvers = Record<string, GraphQLScalarType | Record<string, Resolver | SubscriptionResolver>>;

/** A domain's slice of the schema: SDL (`extend type Query { … }`) and its resolvers. */
export interface GraphQLModule {
  typeDefs: string;
  resolvers: Resolvers;
}

/** The authenticated actor; the auth plugin already refused anonymous calls, this is defence in depth. */
export function actorOf(ctx: GraphQLContext): Actor {
  if (!ctx.actor) throw new AppError("UNAUTHENTICATED", "authentication required");
  return ctx.actor;
}
