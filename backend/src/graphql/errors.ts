/**
 * Error masking (yoga `maskedErrors.maskError`): what a client may learn from an error.
 * - `AppError` → its message, `extensions.code`, `field` and details (UNAUTHENTICATED → HTTP 401, RATE_LIMITED → 429).
 * - GraphQL errors raised before execution (syntax, validation, variables, depth/token limits) → BAD_USER_INPUT.
 * - GraphQL errors that already carry a code (auth plugin, scalars) → unchanged.
 * - Text the database cannot store (NUL characters) → BAD_USER_INPUT.
 * - Anything else → INTERNAL "Unexpected error." with no internals; logged without SQL parameters.
 */
import { sqlState } from "@fluxgate/drizzle";
import { GraphQLError } from "graphql";
import { AppError } from "../errors";
import type { Logger } from "../log";

const HTTP: Partial<Record<AppError["code"], number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

/** SQLSTATEs for text Postgres refuses to store: 22021 (NUL in text), 22P05 (\u0000 in jsonb). */
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

export function appErrorToGraphQL(err: AppError, located?: GraphQLError): GraphQLError {
  const status = HTTP[err.code];
  const retryAfter = err.details?.retryAfterSeconds;
  return new GraphQLError(err.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: {
      code: err.code,
      ...(err.field ? { field: err.field } : {}),
      ...err.details,
      ...(status ? { http: { status, headers: retryAfter ? { "Retry-After": String(retryAfter) } : undefined } } : {}),
    },
  });
}

export function createMaskError(log: Logger) {
  return (error: unknown): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AppError) return appErrorToGraphQL(original, error as GraphQLError);
    if (original instanceof GraphQLError && original.originalError instanceof AppError) {
      return appErrorToGraphQL(original.originalError, error as GraphQLError);
    }
    if (error instanceof GraphQLError) {
      if (error.extensions?.code) return error;
      if (!error.path) {
        return new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          extensions: { code: "BAD_USER_INPUT" },
        });
      }
    }
    // text the database cannot store (a NUL character, \u0000 in JSON) is the client's input, not our failure
    if (UNSTORABLE_TEXT.has(sqlState(original) ?? "")) {
      return new GraphQLError("text must not contain NUL (\\u0000) characters", {
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
    logUnexpected(log, error);
    return new GraphQLError("Unexpected error.", {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: "INTERNAL" },
    });
  };
}

/** Logs an unexpected error without the SQL parameters drizzle puts in its messages (they may hold secrets). */
function logUnexpected(log: Logger, error: unknown): void {
  const located = error instanceof GraphQLError ? error : undefined;
  const err = located?.originalError ?? error;
  const message = err instanceof Error ? err.message.replace(/\nparams:[\s\S]*$/, "") : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  const stack = err instanceof Error ? err.stack?.split("\n").slice(1, 6).join(" | ") : undefined;
  log.error("unexpected error in a GraphQL operation", {
    path: located?.path?.join("."),
    name: err instanceof Error ? err.name : typeof err,
    message,
    cause,
    sqlState: sqlState(err),
    stack,
  });
}
