/** Runs `fn` on the first call only; later calls get the same promise (so `close()` is safe twice). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
