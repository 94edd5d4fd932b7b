/** The team's audit log, newest first; it refreshes as changes happen. */
import { useEffect, useState } from "preact/hooks";
import { ActivityList } from "../components/activity-list.tsx";
import { Async, PageHeader } from "../components/async-state.tsx";
import { SelectField } from "../components/fields.tsx";
import { activity, activityKey, PAGE_SIZE } from "../models/activity.ts";

const ENTITY_TYPES = ["", "feature", "stage", "environment", "pipeline", "context", "client", "team", "user"];

export function ActivityPage({ teamId }: { teamId: string }) {
  const [pageNumber, setPage] = useState(1);
  const [entityType, setEntityType] = useState("");
  useEffect(
    () => void activity.load(activityKey({ teamId, pageNumber, entityType })),
    [teamId, pageNumber, entityType],
  );
  const page = activity.data.value;
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageHeader title="Activity" />
      <div class="filters">
        <SelectField
          label="What changed"
          value={entityType}
          options={ENTITY_TYPES.map((t) => ({ value: t, label: t ? t[0].toUpperCase() + t.slice(1) : "Everything" }))}
          onValue={(v) => {
            setEntityType(v);
            setPage(1);
          }}
        />
      </div>
      <Async
        data={page?.items}
        loading={activity.loading.value}
        error={activity.error.value}
        onRetry={() => void activity.refresh()}
        empty={<p>Nothing recorded yet.</p>}
      >
        {(items) => <ActivityList entries={items} />}
      </Async>
      {pages > 1 && (
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            class="btn btn--small"
            disabled={pageNumber <= 1}
            onClick={() => setPage(pageNumber - 1)}
          >
            Newer
          </button>
          <span>
            Page {pageNumber} of {pages}
          </span>
          <button
            type="button"
            class="btn btn--small"
            disabled={pageNumber >= pages}
            onClick={() => setPage(pageNumber + 1)}
          >
            Older
          </button>
        </nav>
      )}
    </>
  );
}
