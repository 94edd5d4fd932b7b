/**
 * Per-request batching for field resolvers (no N+1): every key asked for while one batch is open — the whole
 * list being resolved — is fetched with one query. Nothing is cached beyond a batch, so a later mutation in the
 * same request never sees stale rows.
 */
export type Load<V> = (key: string) => Promise<V>;

const perRequest = new WeakMap<object, Map<string, Load<unknown>>>();

/** A batch loader: `fetch` gets the distinct keys of a batch and returns what it found; missing keys get `fallback`. */
export function batchLoader<V>(fetch: (keys: string[]) => Promise<Map<string, V>>, fallback: V): Load<V> {
  let open: { keys: Set<string>; result: Promise<Map<string, V>> } | null = null;
  return (key) => {
    if (!open) {
      const keys = new Set<string>();
      // a macrotask, not a microtask: resolvers of nested lists enqueue their keys over several promise ticks
      const result = new Promise((resolve) => setImmediate(resolve)).then(() => {
        open = null;
        return fetch([...keys]);
      });
      open = { keys, result };
    }
    open.keys.add(key);
    return open.result.then((found) => found.get(key) ?? fallback);
  };
}

/** The request's loader called `name`, created on first use. `ctx` is the GraphQL context of the request. */
export function requestLoader<V>(
  ctx: object,
  name: string,
  fetch: (keys: string[]) => Promise<Map<string, V>>,
  fallback: V,
): Load<V> {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    loaders = new Map();
    perRequest.set(ctx, loaders);
  }
  let load = loaders.get(name) as Load<V> | undefined;
  if (!load) {
    load = batchLoader(fetch, fallback);
    loaders.set(name, load as Load<unknown>);
  }
  return load;
}
