/**
 * Cross-cutting GraphQL concerns, in the order they run (yoga/envelop runs plugins in list order per phase):
 *
 * 0. `useInputErrorCode` (parse, validate) – marks syntax and validation errors (including the two limits below)
 *    BAD_USER_INPUT before yoga would label them GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED.
 * 1. `maxTokensPlugin` (parse)      – refuses oversized documents before any work is done on them.
 * 2. `maxDepthPlugin` (validate)    – refuses selections nested deeper than MAX_DEPTH (introspection excepted).
 * 3. `useAuthContext` (context)     – turns the transport's credentials into `ctx.actor`, loaded from the database.
 * 4. `useAccessControl` (execute/subscribe) – decides on the parsed operation: anonymous callers may run only
 *    `login`, `createAdmin`, `applicationStatus` (and, outside production, introspection); a user with a temporary
 *    password may run only TEMPORARY_PASSWORD_FIELDS. Runs after 3 because it needs the actor.
 * 5. `useReadRetry` (execute)       – a query that lost its database connection runs once more (read-retry.ts).
 * 6. `useWellFormedVariables` (execute/subscribe) – refuses variables holding lone UTF-16 surrogates (JSON can carry
 *    them as `\ud800`; Postgres refuses them in jsonb). Document literals are checked by graphql-js's lexer.
 *
 * Error masking is not in this list: it is yoga's `maskedErrors` option (errors.ts), which wraps every result.
 */
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { GraphQLError } from "graphql";
import type { Plugin, YogaInitialContext } from "graphql-yoga";
import { authenticate } from "../auth/authenticate";
import type { AppDeps } from "../deps";
import type { GraphQLContext } from "./module";
import { operationShape } from "./operation-access";
import { retryRead, useReadRetry } from "./read-retry";

export const MAX_DEPTH = 12;
export const MAX_TOKENS = 2000;

/** Root fields anyone may call, per operation type. */
export const ANONYMOUS_FIELDS = {
  query: new Set(["applicationStatus"]),
  mutation: new Set(["login", "createAdmin"]),
  subscription: new Set<string>(),
};

/** What a user whose password is temporary may still do. */
export const TEMPORARY_PASSWORD_FIELDS = new Set([
  "resetPassword",
  "logout",
  "logoutCurrent",
  "me",
  "applicationStatus",
]);

const INTROSPECTION_FIELDS = new Set(["__schema", "__type"]);

/** The transport's part of the context: set by the HTTP handler and by the WebSocket handler. */
export interface TransportContext {
  /** `Authorization` header value (HTTP, SSE) or `connectionParams.authorization` (WebSocket). */
  authorization: string | null;
  clientIp: string | null;
}

/** Everything a plugin can see in the context. */
export type YogaContext = YogaInitialContext & TransportContext & GraphQLContext;

export function graphqlPlugins(deps: AppDeps): Plugin<YogaContext>[] {
  return [
    useInputErrorCode(),
    maxTokensPlugin({ n: MAX_TOKENS }),
    maxDepthPlugin({ n: MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true }),
    useAuthContext(deps),
    useAccessControl({ production: deps.config.production }),
    useReadRetry(),
    useWellFormedVariables(),
  ];
}

const markBadInput = (error: unknown) => {
  if (error instanceof GraphQLError) {
    const extensions = error.extensions as Record<string, unknown>;
    extensions.code ??= "BAD_USER_INPUT";
  }
};

/** Syntax and validation errors are the client's: BAD_USER_INPUT (HTTP 400 stays yoga's). */
export function useInputErrorCode(): Plugin<YogaContext> {
  return {
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) markBadInput(result);
      };
    },
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) for (const error of result) markBadInput(error);
      };
    },
  };
}

/** Builds `ctx.deps`, `ctx.actor`, `ctx.authFailure`, `ctx.clientIp` and `ctx.refreshActor`. */
export function useAuthContext(deps: AppDeps): Plugin<YogaContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const authorization = context.authorization ?? null;
      const result = await retryRead(() => authenticate(deps, authorization));
      const extension: GraphQLContext = {
        deps,
        actor: result.actor,
        authFailure: result.failure,
        clientIp: context.clientIp ?? null,
        refreshActor: async () => (await authenticate(deps, authorization)).actor,
      };
      extendContext(extension);
    },
  };
}

const refusal = (message: string, code: string, status: number) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/** The reason the operation may not run for this caller, or undefined when it may. */
export function accessRefusal(
  shape: ReturnType<typeof operationShape>,
  ctx: Pick<GraphQLContext, "actor" | "authFailure">,
  production: boolean,
): GraphQLError | undefined {
  const fields = shape ? [...shape.rootFields].filter((f) => f !== "__typename") : undefined;
  if (!ctx.actor) {
    const allowed = ANONYMOUS_FIELDS[shape?.type ?? "subscription"];
    const anonymous = fields?.every(
      (f) => allowed.has(f) || (!production && shape?.type === "query" && INTROSPECTION_FIELDS.has(f)),
    );
    if (anonymous) return undefined;
    return refusal(
      ctx.authFailure?.message ?? "authentication required: send 'Authorization: Bearer <token>'",
      "UNAUTHENTICATED",
      401,
    );
  }
  if (
    ctx.actor.isTemporaryPassword &&
    !fields?.every((f) => TEMPORARY_PASSWORD_FIELDS.has(f) || INTROSPECTION_FIELDS.has(f))
  ) {
    return refusal(
      "your password is temporary: change it with resetPassword before doing anything else",
      "PASSWORD_RESET_REQUIRED",
      403,
    );
  }
  return undefined;
}

export function useAccessControl(options: { production: boolean }): Plugin<YogaContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = accessRefusal(
        operationShape(args.document, args.operationName),
        args.contextValue,
        options.production,
      );
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = accessRefusal(
        operationShape(args.document, args.operationName),
        args.contextValue,
        options.production,
      );
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
  };
}

/**
 * The path of a string (or object key) in `value` that is not well-formed UTF-16, or undefined. Iterative: variables
 * may nest thousands deep (the JSON scalar refuses that later, with its own message).
 */
export function illFormedPath(value: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [item, at] = stack.pop() as [unknown, string];
    if (typeof item === "string") {
      if (!item.isWellFormed()) return at;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${at}[${i}]`]);
    } else if (typeof item === "object" && item !== null) {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i];
        if (!key.isWellFormed()) return `${at} (a key)`;
        stack.push([inner, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

function illFormedVariables(variables: Record<string, unknown> | null | undefined): GraphQLError | undefined {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const field = illFormedPath(value, name);
    if (field) {
      return new GraphQLError(`${field} is not well-formed Unicode (it holds a lone surrogate)`, {
        extensions: { code: "BAD_USER_INPUT", field },
      });
    }
  }
  return undefined;
}

export function useWellFormedVariables(): Plugin<YogaContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = illFormedVariables(args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = illFormedVariables(args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
