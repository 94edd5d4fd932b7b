/** Audit entries as a timeline: who, what, on which entity, when. */
import { type ActivityEntry, relativeTime } from "../models/activity.ts";

export function ActivityList({ entries, now }: { entries: readonly ActivityEntry[]; now?: number }) {
  return (
    <ol class="timeline">
      {entries.map((entry) => (
        <li key={entry.id} class="timeline__item">
          <p class="timeline__text">
            <strong>{entry.actorName ?? "system"}</strong> {entry.description}
          </p>
          <p class="timeline__meta">
            {entry.entityDetails && entry.entityDetails.name !== entry.entityId && (
              <span class="chip">
                {entry.entityType}: {entry.entityDetails.name}
              </span>
            )}{" "}
            <time dateTime={entry.createdAt} title={new Date(entry.createdAt).toLocaleString()}>
              {relativeTime(entry.createdAt, now)}
            </time>
          </p>
        </li>
      ))}
    </ol>
  );
}
