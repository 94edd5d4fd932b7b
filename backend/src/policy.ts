/**
 * The one place that decides "may this actor do this to this team". Services call `requireTeam` (or
 * `requireAdmin`) before touching data; nothing else inspects roles.
 *
 * Rules:
 * - A global super-admin may do everything.
 * - Otherwise the actor must be a member of the team: a non-member gets NOT_FOUND (other teams' objects do not
 *   exist for them), a member whose role is too weak gets FORBIDDEN.
 * - Roles are ordered Viewer < Requester < Approver < Team Admin; each action needs a minimum role.
 */
import type { Actor, TeamRole } from "./actor";
import { AppError } from "./errors";

/** Everything that can be done to a team's data. Closed: add an action here and give it a minimum role. */
export type TeamAction =
  | "team:read"
  | "audit:read"
  | "analytics:read"
  | "feature:write"
  | "targeting:write"
  | "stage:request"
  | "stage:approve"
  | "killswitch"
  | "team:update"
  | "member:manage"
  | "environment:write"
  | "pipeline:write"
  | "client:manage";

/** Global actions only a super-admin may do. */
export type AdminAction = "admin:teams" | "admin:users" | "admin:signing-keys" | "admin:audit";

const RANK: Record<TeamRole, number> = { Viewer: 0, Requester: 1, Approver: 2, "Team Admin": 3 };

/** The weakest role allowed to do each action. */
export const MIN_ROLE: Record<TeamAction, TeamRole> = {
  "team:read": "Viewer",
  "audit:read": "Viewer",
  "analytics:read": "Viewer",
  "feature:write": "Requester",
  "targeting:write": "Requester",
  "stage:request": "Requester",
  "stage:approve": "Approver",
  killswitch: "Approver",
  "team:update": "Team Admin",
  "member:manage": "Team Admin",
  "environment:write": "Team Admin",
  "pipeline:write": "Team Admin",
  "client:manage": "Team Admin",
};

export type Decision = "allow" | "not_found" | "forbidden";

/** Pure decision, for services that need to branch (and for the policy table test). */
export function decide(actor: Actor, teamId: string, action: TeamAction): Decision {
  if (actor.isAdmin) return "allow";
  const role = actor.memberships.get(teamId);
  if (!role) return "not_found";
  return RANK[role] >= RANK[MIN_ROLE[action]] ? "allow" : "forbidden";
}

export const can = (actor: Actor, teamId: string, action: TeamAction): boolean =>
  decide(actor, teamId, action) === "allow";

/**
 * Throws unless `actor` may do `action` in `teamId`. `subject` names the object for the NOT_FOUND message
 * (default: the team), so a feature of another team answers "feature <id> not found".
 */
export function requireTeam(
  actor: Actor,
  teamId: string,
  action: TeamAction,
  subject: { entity: string; id: string } = { entity: "team", id: teamId },
): void {
  const decision = decide(actor, teamId, action);
  if (decision === "not_found") throw new AppError("NOT_FOUND", `${subject.entity} ${subject.id} not found`);
  if (decision === "forbidden") {
    const role = actor.memberships.get(teamId);
    throw new AppError(
      "FORBIDDEN",
      `${action} needs the ${MIN_ROLE[action]} role (or higher) in this team; you are ${role}`,
    );
  }
}

/** Throws FORBIDDEN unless the actor is a super-admin. */
export function requireAdmin(actor: Actor, action: AdminAction): void {
  if (!actor.isAdmin) throw new AppError("FORBIDDEN", `${action} needs a global administrator`);
}

/** Teams whose data the actor may read: `"all"` for a super-admin, else their memberships. */
export function readableTeamIds(actor: Actor): "all" | string[] {
  return actor.isAdmin ? "all" : [...actor.memberships.keys()];
}

/** Whether the role is at least `min`. */
export const atLeast = (role: TeamRole | undefined, min: TeamRole): boolean =>
  role !== undefined && RANK[role] >= RANK[min];
