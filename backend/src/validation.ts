/** Input checks services share; each throws BAD_USER_INPUT naming the field. */
import { badInput } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// deliberately loose: one @, something on each side, a dot in the domain, no spaces
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A UUID (ids that are not UUIDs would otherwise reach Postgres and fail there). */
export function uuid(field: string, value: string): string {
  if (!UUID.test(value)) throw badInput(field, `${field} must be a UUID`);
  return value.toLowerCase();
}

/** Trimmed text whose length is within `min..max`. */
export function text(field: string, value: string, limits: { min?: number; max: number }): string {
  const trimmed = value.trim();
  const min = limits.min ?? 0;
  if (trimmed.length < min) {
    throw badInput(
      field,
      min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters (got ${trimmed.length})`,
    );
  }
  if (trimmed.length > limits.max) {
    throw badInput(field, `${field} must be at most ${limits.max} characters (got ${trimmed.length})`);
  }
  return trimmed;
}

/** `text` for an optional field: undefined and null stay undefined. */
export function optionalText(
  field: string,
  value: string | null | undefined,
  limits: { min?: number; max: number },
): string | undefined {
  return value === undefined || value === null ? undefined : text(field, value, limits);
}

export function email(field: string, value: string): string {
  const trimmed = text(field, value, { min: 3, max: 255 });
  if (!EMAIL.test(trimmed)) throw badInput(field, `${field} must be an email address like name@example.com`);
  return trimmed.toLowerCase();
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** Passwords are not trimmed: every character counts. */
export function password(field: string, value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw badInput(field, `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (value.length > MAX_PASSWORD_LENGTH) {
    throw badInput(field, `${field} must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return value;
}

/** Page arguments as in the original: page < 1 → 1, size < 1 → default; size capped. */
export function page(
  pageNumber: number | null | undefined,
  pageSize: number | null | undefined,
  defaults: { size: number; max?: number } = { size: 20 },
): { pageNumber: number; pageSize: number; offset: number } {
  const number = pageNumber && pageNumber >= 1 ? Math.floor(pageNumber) : 1;
  const size = Math.min(pageSize && pageSize >= 1 ? Math.floor(pageSize) : defaults.size, defaults.max ?? 200);
  return { pageNumber: number, pageSize: size, offset: (number - 1) * size };
}
