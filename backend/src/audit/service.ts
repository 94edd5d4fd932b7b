/**
 * The audit log. `recordActivity` is called by every mutation inside its own transaction (so the entry exists
 * exactly when the change does) and announces the entry on `ACTIVITY_CHANNEL` at commit.
 */
import type { Executor } from "@fluxgate/drizzle";
import { Repeater } from "graphql-yoga";
import type { Actor, ActorRef } from "../actor";
import type { AppDeps } from "../deps";
import { AppError } from "../errors";
import { requireTeam } from "../policy";
import * as v from "../validation";
import * as repo from "./repository";
import { ACTIVITY_CHANNEL, type ActivityType, type EntityType } from "./types";

export interface ActivityEntry {
  /** Null for global entries (super-admins only see them). */
  teamId: string | null;
  activityType: ActivityType;
  entityType: EntityType;
  entityId: string;
  actor: ActorRef | null;
  description: string;
  metadata?: Record<string, unknown>;
  /** Entity before / after the change; never include secrets or password hashes. */
  before?: unknown;
  after?: unknown;
}

/** Writes one entry in the caller's transaction and notifies subscribers when it commits. */
export async function recordActivity(tx: Executor, entry: ActivityEntry): Promise<repo.ActivityRow> {
  const row = await repo.insertActivity(tx, {
    teamId: entry.teamId,
    activityType: entry.activityType,
    entityType: entry.entityType,
    entityId: entry.entityId,
    actorId: entry.actor?.userId ?? null,
    actorName: entry.actor?.username ?? null,
    description: entry.description,
    metadata: toJson(entry.metadata),
    before: toJson(entry.before),
    after: toJson(entry.after),
  });
  await repo.notify(tx, ACTIVITY_CHANNEL, JSON.stringify({ id: row.id, teamId: row.teamId }));
  return row;
}

// Dates become RFC 3339 strings, undefined fields disappear: what jsonb would store anyway
const toJson = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

export interface RecentActivitiesArgs {
  teamId?: string | null;
  activityTypes?: string[] | null;
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  fromDate?: Date | null;
  toDate?: Date | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

export interface ActivityPage {
  items: repo.ActivityRow[];
  pageNumber: number;
  pageSize: number;
  total: number;
}

/**
 * Newest first, exact-match filters, `pageNumber` (1-based, default 1) and `pageSize` (default 20, max 100).
 * `teamId` is required unless the actor is a super-admin (who then sees every team and the global entries).
 */
export async function recentActivities(deps: AppDeps, actor: Actor, args: RecentActivitiesArgs): Promise<ActivityPage> {
  const teamId = authorizeScope(actor, args.teamId);
  const paging = v.page(args.pageNumber, args.pageSize, { size: 20, max: 100 });
  const { rows, total } = await repo.listActivities(
    deps.db,
    {
      teamId,
      activityTypes: args.activityTypes ?? undefined,
      entityType: args.entityType ?? undefined,
      entityId: args.entityId ?? undefined,
      actorId: args.actorId ? v.uuid("actorId", args.actorId) : undefined,
      from: args.fromDate ?? undefined,
      to: args.toDate ?? undefined,
    },
    { limit: paging.pageSize, offset: paging.offset },
  );
  return { items: rows, pageNumber: paging.pageNumber, pageSize: paging.pageSize, total };
}

function authorizeScope(actor: Actor, teamId: string | null | undefined): string | "all" {
  if (teamId) {
    const id = v.uuid("teamId", teamId);
    requireTeam(actor, id, "audit:read");
    return id;
  }
  if (actor.isAdmin) return "all";
  throw new AppError("BAD_USER_INPUT", "teamId is required (only administrators can list every team)", {
    field: "teamId",
  });
}

/**
 * The first page now, then again after each new entry in scope (bursts coalesce into one re-query).
 * `refreshActor` re-checks the session before each emission: a revoked token or lost membership ends the stream.
 */
export function watchRecentActivities(
  deps: AppDeps,
  actor: Actor,
  args: RecentActivitiesArgs,
  refreshActor: () => Promise<Actor | null>,
): AsyncIterable<ActivityPage> {
  const scope = authorizeScope(actor, args.teamId);
  const pageArgs = { ...args, pageSize: args.pageSize ?? 10 };
  return new Repeater<ActivityPage>(async (push, stop) => {
    let dirty = true;
    let running = false;
    const emit = async () => {
      if (running) return;
      running = true;
      try {
        while (dirty) {
          dirty = false;
          const current = await refreshActor();
          if (!current) throw new AppError("UNAUTHENTICATED", "the session ended");
          await push(await recentActivities(deps, current, pageArgs));
        }
      } finally {
        running = false;
      }
    };
    const unsubscribe = await deps.pubsub.subscribe(ACTIVITY_CHANNEL, (payload) => {
      if (scope !== "all" && parseTeam(payload) !== scope) return;
      dirty = true;
      emit().catch((err) => stop(err));
    });
    emit().catch((err) => stop(err));
    await stop;
    unsubscribe();
  });
}

function parseTeam(payload: string): string | null {
  try {
    return (JSON.parse(payload) as { teamId: string | null }).teamId;
  } catch {
    return null;
  }
}
