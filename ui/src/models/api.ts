/** The console's one GraphQL client and its live-subscription bookkeeping. */
import { computed, signal } from "@preact/signals";
import { createGraphQLClient, isAuthError, type Variables } from "../api/client.ts";
import type { ApiError, ErrorCode } from "../api/errors.ts";
import { type StreamState, subscribe } from "../api/sse.ts";
import { graphqlEndpoint } from "../config.ts";

const TOKEN_KEY = "fluxgate.token";

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The bearer token of the signed-in user (kept across reloads). */
export const token = signal<string | null>(storage()?.getItem(TOKEN_KEY) ?? null);

/** Set when the server answers UNAUTHENTICATED or PASSWORD_RESET_REQUIRED; the session model reacts. */
export const authProblem = signal<ErrorCode | null>(null);

export function setToken(value: string | null): void {
  token.value = value;
  authProblem.value = null;
  if (value) storage()?.setItem(TOKEN_KEY, value);
  else storage()?.removeItem(TOKEN_KEY);
}

function reportAuthError(error: ApiError): void {
  authProblem.value = error.code;
}

export const api = createGraphQLClient({
  endpoint: () => graphqlEndpoint(),
  token: () => token.value,
  onAuthError: reportAuthError,
});

/** State of every open subscription, by name. */
export const streams = signal<Record<string, StreamState>>({});

/** "reconnecting" when any live stream is down, for the banner in the shell. */
export const liveState = computed<"live" | "reconnecting" | "idle">(() => {
  const states = Object.values(streams.value);
  if (states.some((s) => s === "reconnecting")) return "reconnecting";
  return states.some((s) => s === "live") ? "live" : "idle";
});

export interface LiveOptions<T> {
  name: string;
  query: string;
  variables?: Variables;
  onData: (data: T) => void;
  /** Called when a dropped stream is back: whatever was missed meanwhile must be reloaded. */
  onReconnected?: () => void;
  /** A refused subscription (bad input, FORBIDDEN…): the stream has stopped. */
  onError?: (error: ApiError) => void;
}

/** Opens a named subscription that reconnects by itself; returns its stop function. */
export function live<T>(options: LiveOptions<T>): () => void {
  let wasDown = false;
  const setState = (state: StreamState) => {
    if (state === "reconnecting") wasDown = true;
    if (state === "live" && wasDown) {
      wasDown = false;
      options.onReconnected?.();
    }
    // peek: a subscription started inside an effect must not make that effect depend on `streams`
    const next = { ...streams.peek() };
    if (state === "closed") delete next[options.name];
    else next[options.name] = state;
    streams.value = next;
  };
  return subscribe<T>({
    endpoint: () => graphqlEndpoint(),
    token: () => token.value,
    query: options.query,
    variables: options.variables,
    onData: options.onData,
    onState: setState,
    onError: (error) => {
      if (isAuthError(error)) reportAuthError(error);
      options.onError?.(error);
    },
  });
}
