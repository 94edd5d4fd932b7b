/** Subscription clients for tests: graphql-ws over a real WebSocket, and GraphQL over SSE. */
import { type Client, createClient } from "graphql-ws";
import type { GqlResult } from "./gql";

/** A graphql-ws client that does not retry (a refused connection is an outcome to assert). */
export function wsClient(url: string, token?: string): Client {
  return createClient({
    url,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Collects `count` results of a subscription over WebSocket (or fewer, if it ends or `timeoutMs` passes). */
export async function wsTake(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  timeoutMs = 5000,
) {
  const results: GqlResult[] = [];
  const iterator = client.iterate({ query, variables });
  const timer = setTimeout(() => iterator.return?.(), timeoutMs);
  try {
    for await (const result of iterator) {
      results.push({ ...(result as object), status: 0 } as GqlResult);
      if (results.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return results;
}

export interface SseStream {
  status: number;
  /** Waits for the next `next` event's payload (undefined when the stream ended first). */
  next(timeoutMs?: number): Promise<GqlResult | undefined>;
  close(): void;
}

/** Opens a subscription over SSE (yoga's default transport). */
export async function sseSubscribe(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: "POST",
    signal: abort.signal,
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const pending: GqlResult[] = [];
  let ended = false;
  let wake: () => void = () => {};

  (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("\n");
          const isNext = /^event: ?next$/m.test(block) || !/^event:/m.test(block);
          if (data && isNext) pending.push({ ...JSON.parse(data), status: response.status });
          wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      wake();
    }
  })();

  return {
    status: response.status,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (pending.length === 0 && !ended && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(1, deadline - Date.now()));
        });
      }
      return pending.shift();
    },
    close: () => abort.abort(),
  };
}
