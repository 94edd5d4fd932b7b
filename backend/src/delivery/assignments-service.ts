/**
 * Sticky assignments pushed and listed by edges, scoped to the client's team (and to its environment
 * when it is bound to one). A row naming a feature or environment outside that scope, or malformed, is
 * rejected and counted, and the rest is stored: one bad row must not make an edge re-send (and the
 * backend refuse) the whole batch forever. `assigned: false` is an edge purging the row (its flag was killed
 * or deleted): the row is deleted. `assigned: true` for a killed feature is rejected: an edge may flush what it
 * assigned just before the kill reached it, and the kill's purge must stay complete.
 */
import type { Db } from "@fluxgate/drizzle";
import { detailText, type UserFlagAssignment } from "@fluxgate/proto";
import {
  type AssignmentRow,
  deleteAssignmentRows,
  listAssignments,
  teamEnvironmentIds,
  teamFeatures,
  upsertAssignments,
} from "./assignments-repository.ts";
import type { ClientRecord } from "./auth.ts";
import { DeliveryError, invalid, isUuid } from "./errors.ts";

export const MAX_ASSIGNMENTS_PER_PUSH = 100_000;

export interface PushResult {
  accepted: number;
  rejected: number;
}

export async function storeAssignments(
  db: Db,
  client: ClientRecord,
  messages: UserFlagAssignment[],
): Promise<PushResult> {
  const candidates = new Map<string, AssignmentRow>();
  let rejected = 0;
  for (const m of messages) {
    // the original skips rows with empty fields; FluxGate also skips what cannot be a valid row
    if (!validUserId(m.user_id) || !isUuid(m.feature_id) || !isUuid(m.environment_id)) {
      rejected++;
      continue;
    }
    const row = {
      userId: m.user_id,
      featureId: m.feature_id.toLowerCase(),
      environmentId: m.environment_id.toLowerCase(),
      assigned: m.assigned,
      variant: m.variant ? detailText(m.variant, 100) : null,
    };
    const key = `${row.userId}\u0000${row.featureId}\u0000${row.environmentId}`;
    if (candidates.has(key)) rejected++; // superseded by a later row for the same user: last wins
    candidates.set(key, row);
  }
  const rows = [...candidates.values()];
  const [ownFeatures, ownEnvironments] = await Promise.all([
    teamFeatures(db, client.teamId, [...new Set(rows.map((r) => r.featureId))]),
    teamEnvironmentIds(db, client.teamId, [...new Set(rows.map((r) => r.environmentId))]),
  ]);
  const accepted = rows.filter(
    (r) =>
      ownFeatures.has(r.featureId) &&
      !(r.assigned && ownFeatures.get(r.featureId)) &&
      ownEnvironments.has(r.environmentId) &&
      (!client.environmentId || client.environmentId === r.environmentId),
  );
  rejected += rows.length - accepted.length;
  const kept = accepted.filter((r) => r.assigned);
  const purged = accepted.filter((r) => !r.assigned);
  if (kept.length > 0) await upsertAssignments(db, kept);
  if (purged.length > 0) await deleteAssignmentRows(db, purged);
  return { accepted: accepted.length, rejected };
}

/** A user id the table can hold: 1–255 characters, no NUL (Postgres text cannot store it). */
function validUserId(id: string): boolean {
  return typeof id === "string" && id.length > 0 && id.length <= 255 && !id.includes("\u0000");
}

export async function findAssignments(
  db: Db,
  client: ClientRecord,
  filter: { featureId: string; environmentId: string },
): Promise<AssignmentRow[]> {
  if (filter.featureId && !isUuid(filter.featureId)) throw invalid("feature_id must be a UUID");
  if (filter.environmentId && !isUuid(filter.environmentId)) throw invalid("environment_id must be a UUID");
  let environmentId = filter.environmentId.toLowerCase();
  if (client.environmentId) {
    if (environmentId && environmentId !== client.environmentId) {
      throw new DeliveryError("PERMISSION_DENIED", "client is bound to another environment");
    }
    environmentId = client.environmentId;
  }
  return listAssignments(db, client.teamId, { featureId: filter.featureId.toLowerCase(), environmentId });
}
