/**
 * The one error class services throw. Transports translate it: GraphQL `extensions.code` (graphql/errors.ts),
 * gRPC status (delivery). Anything that is not an `AppError` is unexpected and is masked as INTERNAL.
 */
import { constraintName, isForeignKeyViolation, isUniqueViolation } from "@fluxgate/drizzle";

export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL";

export interface AppErrorOptions {
  /** Input field the message is about, e.g. `input.name`. */
  field?: string;
  cause?: unknown;
  /** Extra machine-readable details for the client, e.g. `{ retryAfterSeconds: 60 }`. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override name = "AppError";
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.field = options.field;
    this.details = options.details;
  }
}

export const badInput = (field: string, message: string): AppError =>
  new AppError("BAD_USER_INPUT", message, { field });

export const notFound = (entity: string, id: string): AppError =>
  new AppError("NOT_FOUND", `${entity} ${id} not found`);

export const forbidden = (message: string): AppError => new AppError("FORBIDDEN", message);

export const unauthenticated = (message = "authentication required"): AppError =>
  new AppError("UNAUTHENTICATED", message);

/** How to describe a database constraint error for one write. */
export interface DbErrorContext {
  /** Entity being written, e.g. `team`. */
  entity: string;
  /** Its name or key, for "team 'x' already exists". */
  name?: string;
  field?: string;
  /** Per-constraint messages, e.g. `{ users_email_unique: { message: "email ... already in use", field: "input.email" } }`. */
  constraints?: Record<string, { message: string; field?: string }>;
}

/**
 * Unique violation → CONFLICT "<entity> '<name>' already exists"; FK violation → CONFLICT naming the entity.
 * Returns anything else unchanged (callers rethrow it).
 */
export function translateDbError(err: unknown, context: DbErrorContext): unknown {
  if (err instanceof AppError) return err;
  const unique = isUniqueViolation(err);
  if (!unique && !isForeignKeyViolation(err)) return err;
  const known = context.constraints?.[constraintName(err) ?? ""];
  if (known) return new AppError("CONFLICT", known.message, { field: known.field, cause: err });
  const label = context.name === undefined ? context.entity : `${context.entity} '${context.name}'`;
  const message = unique
    ? `${label} already exists`
    : `${label} refers to something that does not exist, or is still referenced by other records`;
  return new AppError("CONFLICT", message, { field: context.field, cause: err });
}

/** Runs `fn`, translating constraint errors with `translateDbError`. */
export async function withDbErrors<T>(context: DbErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err, context);
  }
}
