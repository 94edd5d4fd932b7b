/** The audit log of the selected team, newest first, live. */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export interface ActivityEntry {
  id: string;
  activityType: string;
  entityType: string;
  entityId: string;
  entityDetails: { name: string };
  actorName: string | null;
  description: string;
  createdAt: string;
}

export interface ActivityPage {
  items: ActivityEntry[];
  pageNumber: number;
  pageSize: number;
  total: number;
}

export const ACTIVITY_FIELDS =
  "id activityType entityType entityId actorName description createdAt entityDetails { name }";
const PAGE_FIELDS = `items { ${ACTIVITY_FIELDS} } pageNumber pageSize total`;

export interface ActivityKey {
  teamId: string;
  pageNumber: number;
  entityType: string;
}

export const PAGE_SIZE = 25;

export const activity = createResource<string, ActivityPage>(async (key) => {
  const { teamId, pageNumber, entityType } = JSON.parse(key) as ActivityKey;
  const data = await api.request<{ recentActivities: ActivityPage }>(
    `query RecentActivities($teamId: ID, $entityType: String, $pageNumber: Int, $pageSize: Int) {
      recentActivities(teamId: $teamId, entityType: $entityType, pageNumber: $pageNumber, pageSize: $pageSize) {
        ${PAGE_FIELDS} } }`,
    { teamId, entityType: entityType || null, pageNumber, pageSize: PAGE_SIZE },
  );
  return data.recentActivities;
});

/** A stable resource key for a page of the log. */
export function activityKey(key: ActivityKey): string {
  return JSON.stringify(key);
}

/** "3 min ago" style time, for lists. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days < 30 ? `${days} d ago` : new Date(iso).toLocaleDateString();
}
