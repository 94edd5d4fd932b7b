/** A value loaded from the server for a key (usually a team id), with its loading and error state. */
import { type ReadonlySignal, signal } from "@preact/signals";
import { ApiError } from "../api/errors.ts";

export interface Resource<K, T> {
  readonly data: ReadonlySignal<T | undefined>;
  readonly error: ReadonlySignal<ApiError | null>;
  readonly loading: ReadonlySignal<boolean>;
  /** Loads `key` unless it is already loaded (or `force`). Never throws: failures land in `error`. */
  load(key: K, force?: boolean): Promise<void>;
  /** Reloads the current key, if any. */
  refresh(): Promise<void>;
  /** The key of the data held, if any. */
  key(): K | undefined;
  /** Replaces the data in place (after a mutation returned the new value). */
  set(value: T): void;
  clear(): void;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError("INTERNAL", error instanceof Error ? error.message : "Error");
}

export function createResource<K, T>(fetcher: (key: K) => Promise<T>): Resource<K, T> {
  const data = signal<T | undefined>(undefined);
  const error = signal<ApiError | null>(null);
  const loading = signal(false);
  let currentKey: K | undefined;
  let sequence = 0;

  async function load(key: K, force = false): Promise<void> {
    if (!force && key === currentKey && (data.value !== undefined || loading.value)) return;
    if (key !== currentKey) data.value = undefined;
    currentKey = key;
    const mine = ++sequence;
    loading.value = true;
    try {
      const value = await fetcher(key);
      if (mine !== sequence) return;
      data.value = value;
      error.value = null;
    } catch (caught) {
      if (mine === sequence) error.value = asApiError(caught);
    } finally {
      if (mine === sequence) loading.value = false;
    }
  }

  return {
    data,
    error,
    loading,
    load,
    refresh: () => (currentKey === undefined ? Promise.resolve() : load(currentKey, true)),
    key: () => currentKey,
    set: (value) => {
      data.value = value;
    },
    clear: () => {
      sequence++;
      currentKey = undefined;
      data.value = undefined;
      error.value = null;
      loading.value = false;
    },
  };
}
