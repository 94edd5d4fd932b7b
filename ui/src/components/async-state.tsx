/** Loading, error and empty states around data from a model. */
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import type { ApiError } from "../api/errors.ts";
import { errorMessage } from "../api/errors.ts";

interface AsyncProps<T> {
  data: T | undefined;
  loading: boolean;
  error: ApiError | null;
  onRetry?: () => void;
  /** What to say when the data is an empty list. */
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}

export function Async<T>({ data, loading, error, onRetry, empty, children }: AsyncProps<T>) {
  if (error && data === undefined) {
    return (
      <div class="notice notice--error" role="alert">
        <p>{errorMessage(error)}</p>
        {onRetry && (
          <button type="button" class="btn" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  if (data === undefined) {
    return (
      <p class="muted" aria-busy="true">
        {loading ? "Loading…" : ""}
      </p>
    );
  }
  if (empty && Array.isArray(data) && data.length === 0) return <div class="empty">{empty}</div>;
  return <>{children(data)}</>;
}

/** The page's heading; it also names the browser tab. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · FluxGate`;
  }, [title]);
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-header__actions">{children}</div>}
    </header>
  );
}

interface ResourceLike<T> {
  data: { value: T | undefined };
  loading: { value: boolean };
  error: { value: ApiError | null };
  refresh: () => Promise<void>;
}

/** `Async` for a model's resource: its data, loading and error, with "Try again" reloading it. */
export function ResourceView<T>({
  resource,
  empty,
  children,
}: {
  resource: ResourceLike<T>;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  return (
    <Async
      data={resource.data.value}
      loading={resource.loading.value}
      error={resource.error.value}
      onRetry={() => void resource.refresh()}
      empty={empty}
    >
      {children}
    </Async>
  );
}

/** The header cell over a column of row buttons. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span class="visually-hidden">Actions</span>
    </th>
  );
}
