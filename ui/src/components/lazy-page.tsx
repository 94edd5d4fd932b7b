/** A page loaded on its first visit, as its own chunk, so what most visits never open stays out of the main bundle. */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyPage(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      pending ??= load();
      pending.then(
        (page) => {
          loaded = page;
          setReady(true);
        },
        () => {
          pending = undefined; // the next visit tries again
          setFailed(true);
        },
      );
    }, []);
    if (loaded) {
      const Page = loaded;
      return <Page {...props} />;
    }
    return failed ? (
      <div class="notice notice--error" role="alert">
        <p>This page could not be loaded. Check your connection, then reload the page.</p>
      </div>
    ) : (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  };
}
