/** Errors as the console sees them: one class with the server's `extensions.code` and per-field messages. */

export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "PASSWORD_RESET_REQUIRED"
  | "NETWORK"
  | "INTERNAL";

export interface GraphQLErrorPayload {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

const KNOWN_CODES = new Set<string>([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "PASSWORD_RESET_REQUIRED",
  "NETWORK",
]);

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Message per input field (last path segment: `input.name` → `name`). */
    readonly fieldErrors: Record<string, string> = {},
    /** Message per field as the server named it (`input.rules[0].rollout`), for nested editors. */
    readonly fieldPaths: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The form field a server path names: `input.webOrigins[1]` → `webOrigins`. */
function fieldName(path: string): string | null {
  return (
    path
      .split(".")
      .pop()
      ?.replace(/\[\d+\]$/, "") || null
  );
}

/** Collects `extensions.field` / `extensions.fields` (map or list) as (path, message) pairs. */
function fieldMessages(error: GraphQLErrorPayload): [string, string][] {
  const ext = error.extensions ?? {};
  const out: [string, string][] = [];
  if (typeof ext.field === "string" && ext.field) out.push([ext.field, error.message]);
  const fields = ext.fields;
  if (Array.isArray(fields)) {
    for (const item of fields) {
      if (typeof item === "string") out.push([item, error.message]);
      else if (item && typeof item === "object") {
        const entry = item as { field?: unknown; path?: unknown; message?: unknown };
        const path = entry.field ?? entry.path;
        if (typeof path === "string")
          out.push([path, typeof entry.message === "string" ? entry.message : error.message]);
      }
    }
  } else if (fields && typeof fields === "object") {
    for (const [path, message] of Object.entries(fields as Record<string, unknown>)) {
      out.push([path, typeof message === "string" ? message : error.message]);
    }
  }
  return out;
}

/** One ApiError for a response's `errors[]`: the first error's code and message, every field error. */
export function toApiError(errors: readonly GraphQLErrorPayload[]): ApiError {
  const first = errors[0] ?? { message: "Unknown error" };
  const raw = String(first.extensions?.code ?? "");
  const code = (KNOWN_CODES.has(raw) ? raw : "INTERNAL") as ErrorCode;
  const fieldErrors: Record<string, string> = {};
  const fieldPaths: Record<string, string> = {};
  for (const error of errors) {
    for (const [path, message] of fieldMessages(error)) {
      fieldPaths[path] ??= message;
      const name = fieldName(path);
      if (name) fieldErrors[name] ??= message;
    }
  }
  return new ApiError(code, first.message, fieldErrors, fieldPaths);
}

/** A readable sentence for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "NETWORK") return "The server could not be reached. Check your connection and try again.";
    if (error.code === "RATE_LIMITED") return `Too many attempts. ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
