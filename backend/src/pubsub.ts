/**
 * Fan-out over Postgres LISTEN/NOTIFY: one LISTEN per channel per process, any number of local subscribers.
 * Postgres is the bus, so a NOTIFY sent by any replica reaches the subscribers of every replica.
 */
import type { DatabaseHandle, Unsubscribe } from "@fluxgate/drizzle";
import { Repeater } from "graphql-yoga";

type Handler = (payload: string) => void;

export interface PubSub {
  /** Calls `handler` with each payload on `channel`; resolves once listening. */
  subscribe(channel: string, handler: Handler): Promise<() => void>;
  /**
   * Async iterable of payloads on `channel`, for GraphQL subscriptions. `map` turns a payload into an item
   * (undefined = skip). Items are produced one at a time; ends when the consumer stops.
   */
  iterate<T>(channel: string, map: (payload: string) => Promise<T | undefined> | T | undefined): AsyncIterable<T>;
  close(): Promise<void>;
}

export function createPubSub(handle: Pick<DatabaseHandle, "listen">): PubSub {
  const channels = new Map<string, { handlers: Set<Handler>; ready: Promise<Unsubscribe> }>();

  async function subscribe(channel: string, handler: Handler): Promise<() => void> {
    let entry = channels.get(channel);
    if (!entry) {
      const handlers = new Set<Handler>();
      const ready = handle.listen(channel, (payload) => {
        for (const h of handlers) h(payload);
      });
      entry = { handlers, ready };
      channels.set(channel, entry);
    }
    entry.handlers.add(handler);
    await entry.ready;
    return () => entry.handlers.delete(handler);
  }

  function iterate<T>(channel: string, map: (payload: string) => Promise<T | undefined> | T | undefined) {
    return new Repeater<T>(async (push, stop) => {
      let chain = Promise.resolve();
      const unsubscribe = await subscribe(channel, (payload) => {
        // keep order: each payload is mapped after the previous one
        chain = chain
          .then(async () => {
            const item = await map(payload);
            if (item !== undefined) await push(item);
          })
          .catch((err) => stop(err));
      });
      await stop;
      unsubscribe();
    });
  }

  async function close(): Promise<void> {
    const entries = [...channels.values()];
    channels.clear();
    await Promise.all(entries.map(async (e) => (await e.ready.catch(() => async () => {}))()));
  }

  return { subscribe, iterate, close };
}
