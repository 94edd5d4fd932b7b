/**
 * GraphQL subscriptions over Server-Sent Events, graphql-yoga's "distinct connections" mode: one
 * POST per subscription with `Accept: text/event-stream`, answered by `event: next` / `event: complete`
 * frames and `:` pings every 12 s. fetch (not EventSource) so the bearer token travels in a header.
 * A dropped or silent stream reconnects with capped exponential backoff and jitter.
 */
import { authHeaders, operationName, type Variables } from "./client.ts";
import { ApiError, type GraphQLErrorPayload, toApiError } from "./errors.ts";

export type StreamState = "connecting" | "live" | "reconnecting" | "closed";

export interface SubscribeOptions<T> {
  endpoint: () => string;
  token: () => string | null;
  query: string;
  variables?: Variables;
  onData: (data: T) => void;
  onState?: (state: StreamState) => void;
  /** Fatal errors (bad query, FORBIDDEN, UNAUTHENTICATED): the stream stops. */
  onError?: (error: ApiError) => void;
  fetch?: typeof fetch;
  /** No byte (not even a ping) for this long = a dead connection. */
  idleTimeoutMs?: number;
  maxBackoffMs?: number;
}

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling, capped, with ±25 % jitter. */
export function backoffDelay(attempt: number, maxMs = 30_000, random = Math.random): number {
  const base = Math.min(maxMs, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Splits an SSE buffer into complete events; returns the unparsed rest. */
export function parseEvents(buffer: string): { events: { event: string; data: string }[]; rest: string } {
  const events: { event: string; data: string }[] = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length || event !== "message") events.push({ event, data: data.join("\n") });
  }
  return { events, rest };
}

/** Starts a subscription; the returned function stops it for good. */
export function subscribe<T>(options: SubscribeOptions<T>): () => void {
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  let stopped = false;
  let attempt = 0;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (state: StreamState) => options.onState?.(state);
  const fail = (error: ApiError) => {
    stopped = true;
    setState("closed");
    options.onError?.(error);
  };

  /** Handles one frame; returns false when the stream must stop. */
  function handle(event: string, data: string): boolean {
    if (event !== "next" || !data) return true;
    const payload = JSON.parse(data) as { data?: T; errors?: GraphQLErrorPayload[] };
    if (payload.errors?.length) {
      fail(toApiError(payload.errors));
      return false;
    }
    if (payload.data != null) options.onData(payload.data);
    return true;
  }

  async function connect(): Promise<void> {
    controller = new AbortController();
    const abort = controller;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), idleTimeoutMs);
    };
    try {
      touch();
      const response = await (options.fetch ?? globalThis.fetch)(options.endpoint(), {
        method: "POST",
        signal: abort.signal,
        headers: { "content-type": "application/json", accept: "text/event-stream", ...authHeaders(options.token()) },
        body: JSON.stringify({
          query: options.query,
          variables: options.variables ?? {},
          operationName: operationName(options.query),
        }),
      });
      if (response.status === 401) return fail(new ApiError("UNAUTHENTICATED", "Your session has expired"));
      if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) {
        const body = (await response.json().catch(() => ({}))) as { errors?: GraphQLErrorPayload[] };
        if (body.errors?.length) return fail(toApiError(body.errors));
        throw new Error(`Unexpected response ${response.status}`);
      }
      attempt = 0;
      setState("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) break;
        touch();
        const parsed = parseEvents(buffer + value);
        buffer = parsed.rest;
        for (const { event, data } of parsed.events) if (!handle(event, data)) return;
      }
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError) return fail(error);
    } finally {
      clearTimeout(idle);
    }
    if (!stopped) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    setState("reconnecting");
    retryTimer = setTimeout(() => void connect(), backoffDelay(attempt++, options.maxBackoffMs));
  }

  setState("connecting");
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    controller?.abort();
    setState("closed");
  };
}
