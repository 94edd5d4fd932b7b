/**
 * Form state: values, client-side validation before sending, and the server's field errors
 * (BAD_USER_INPUT with `extensions.field`) shown next to the field they name.
 */
import { batch, type Signal, signal } from "@preact/signals";
import { ApiError, errorMessage } from "../api/errors.ts";

export type Errors<V> = Partial<Record<keyof V & string, string>>;
export type Validator<V> = (values: V) => Errors<V>;

export interface Form<V extends object> {
  readonly values: Signal<V>;
  readonly errors: Signal<Errors<V>>;
  /** An error that names no field (FORBIDDEN, CONFLICT without a field, network). */
  readonly formError: Signal<string | null>;
  readonly submitting: Signal<boolean>;
  set<K extends keyof V & string>(field: K, value: V[K]): void;
  reset(values?: V): void;
  /** Runs the checks and shows their errors; true when there are none. */
  validate(): boolean;
  /** Validates, then runs `action`; returns its result, or undefined when validation or the server refused. */
  submit<R>(action: (values: V) => Promise<R>): Promise<R | undefined>;
}

export function createForm<V extends object>(initial: V, validate: Validator<V> = () => ({})): Form<V> {
  const values = signal<V>({ ...initial });
  const errors = signal<Errors<V>>({});
  const formError = signal<string | null>(null);
  const submitting = signal(false);
  const fields = new Set(Object.keys(initial));

  function set<K extends keyof V & string>(field: K, value: V[K]): void {
    batch(() => {
      values.value = { ...values.value, [field]: value };
      if (errors.value[field]) errors.value = { ...errors.value, [field]: undefined };
    });
  }

  function showServerError(error: unknown): void {
    if (error instanceof ApiError) {
      const mine: Errors<V> = {};
      const unplaced: string[] = [];
      for (const [field, message] of Object.entries(error.fieldErrors)) {
        if (fields.has(field)) mine[field as keyof V & string] = message;
        else unplaced.push(message);
      }
      errors.value = mine;
      const placed = Object.keys(mine).length > 0;
      formError.value = placed ? (unplaced.length ? unplaced.join(" ") : null) : errorMessage(error);
      return;
    }
    formError.value = errorMessage(error);
  }

  function check(): boolean {
    const found = validate(values.value);
    const clean = Object.fromEntries(Object.entries(found).filter(([, m]) => m)) as Errors<V>;
    batch(() => {
      errors.value = clean;
      formError.value = null;
    });
    return Object.keys(clean).length === 0;
  }

  async function submit<R>(action: (values: V) => Promise<R>): Promise<R | undefined> {
    if (!check()) return undefined;
    submitting.value = true;
    try {
      return await action(values.value);
    } catch (error) {
      showServerError(error);
      return undefined;
    } finally {
      submitting.value = false;
    }
  }

  function reset(next: V = initial): void {
    batch(() => {
      values.value = { ...next };
      errors.value = {};
      formError.value = null;
    });
  }

  return { values, errors, formError, submitting, set, reset, submit, validate: check };
}

/** Common checks, each returning a message or undefined. */
export const check = {
  required: (value: string, label: string) => (value.trim() ? undefined : `${label} is required`),
  length: (value: string, label: string, min: number, max: number) => {
    const n = value.trim().length;
    if (n < min) return min === 1 ? `${label} is required` : `${label} needs at least ${min} characters`;
    if (n > max) return `${label} must be at most ${max} characters`;
    return undefined;
  },
  email: (value: string) =>
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? undefined : "Enter a valid email address",
  key: (value: string, label: string) =>
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value.trim())
      ? undefined
      : `${label} may use letters, digits, dots, dashes and underscores, starting with a letter or digit`,
  origin: (value: string) => {
    try {
      const url = new URL(value);
      return url.origin === value.replace(/\/$/, "") ? undefined : `${value} is not an origin (scheme://host[:port])`;
    } catch {
      return `${value} is not a valid origin`;
    }
  },
};
