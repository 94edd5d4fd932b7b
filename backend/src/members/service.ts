/**
 * Team memberships and roles. A user holds exactly one role per team (Viewer, Requester, Approver, Team Admin).
 *
 * - `setTeamMember` / `removeTeamMember`: Team Admins of the team (or super-admins). Any existing user can be added
 *   by id (ids are unguessable; user lookups stay scoped).
 * - `assignUserTeams(userId, teamIds)` (original API): replaces the user's memberships with `teamIds`, keeping the
 *   role of memberships that stay and giving Viewer to new ones. A super-admin replaces all memberships; a Team
 *   Admin may only name teams they administer, and only those teams are changed (memberships elsewhere stay).
 * - `assignUserRoles(userId, {roleIds, teamId})` (original API, global roles there): sets the user's role in one
 *   team. `roleIds` must hold exactly one role; `teamId` may be omitted only when the user is in exactly one team.
 * - A Team Admin cannot remove or demote the team's last Team Admin (a super-admin can).
 */
import { type Executor, ROLE_IDS } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import type { AppDeps } from "../deps";
import { AppError, badInput, withDbErrors } from "../errors";
import { can, readableTeamIds, requireTeam } from "../policy";
import { listTeams } from "../teams/repository";
import { findUser } from "../users/repository";
import { visibleUser } from "../users/service";
import * as v from "../validation";
import * as repo from "./repository";

/** A transaction whose constraint errors (also those raised at commit) become CONFLICT. */
const transaction = <T>(deps: AppDeps, fn: (tx: Executor) => Promise<T>): Promise<T> =>
  withDbErrors({ entity: "membership" }, () => deps.db.transaction(fn));

export async function listRoles(deps: AppDeps): Promise<repo.RoleRow[]> {
  return repo.listRoles(deps.db);
}

/** Distinct roles the user holds in teams the actor can see (`teamId` narrows to one team). */
export async function userRoles(
  deps: AppDeps,
  actor: Actor,
  userId: string,
  teamId?: string | null,
): Promise<repo.RoleRow[]> {
  const id = v.uuid("userId", userId);
  await visibleUser(deps.db, actor, await findUser(deps.db, id), id);
  const readable = readableTeamIds(actor);
  const rows = (await repo.membershipsOf(deps.db, [id])).filter(
    (m) =>
      (readable === "all" || id === actor.userId || readable.includes(m.team.id)) && (!teamId || m.team.id === teamId),
  );
  const byId = new Map(rows.map((m) => [m.role.id, m.role]));
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function requireUser(ex: Executor, userId: string) {
  const user = await findUser(ex, userId);
  if (!user) throw new AppError("NOT_FOUND", `user ${userId} not found`);
  return user;
}

async function requireTeams(ex: Executor, teamIds: string[]) {
  const found = new Set((await listTeams(ex, teamIds)).map((team) => team.id));
  const missing = teamIds.find((id) => !found.has(id));
  if (missing) throw new AppError("NOT_FOUND", `team ${missing} not found`);
}

async function requireRole(ex: Executor, roleId: string, field: string) {
  const role = await repo.findRole(ex, roleId);
  if (!role) throw badInput(field, `role ${roleId} does not exist`);
  return role;
}

/** Refuses to leave a team without a Team Admin when the actor is not a super-admin. */
async function keepATeamAdmin(ex: Executor, actor: Actor, teamId: string, userId: string, newRoleId: string | null) {
  if (actor.isAdmin || newRoleId === ROLE_IDS.teamAdmin) return;
  const current = await repo.findMembership(ex, teamId, userId);
  if (current?.roleId !== ROLE_IDS.teamAdmin) return;
  const admins = await repo.teamAdminCount(ex, teamId);
  if (admins <= 1) throw new AppError("CONFLICT", "the team needs at least one Team Admin; appoint another first");
}

export async function setTeamMember(
  deps: AppDeps,
  actor: Actor,
  args: { teamId: string; userId: string; roleId: string },
): Promise<repo.MembershipDetail> {
  const teamId = v.uuid("teamId", args.teamId);
  const userId = v.uuid("userId", args.userId);
  const roleId = v.uuid("roleId", args.roleId);
  requireTeam(actor, teamId, "member:manage");
  return transaction(deps, async (tx) => {
    await repo.lockTeamMembers(tx, teamId);
    await requireTeams(tx, [teamId]);
    const user = await requireUser(tx, userId);
    const role = await requireRole(tx, roleId, "roleId");
    await keepATeamAdmin(tx, actor, teamId, userId, roleId);
    const before = await repo.findMembership(tx, teamId, userId);
    await repo.upsertMembership(tx, { teamId, userId, roleId, assignedBy: actor.userId });
    await recordActivity(tx, {
      teamId,
      activityType: before ? "role_assigned" : "user_added_to_team",
      entityType: before ? "user" : "team",
      entityId: before ? userId : teamId,
      actor,
      description: before
        ? `Gave '${user.username}' the ${role.name} role`
        : `Added '${user.username}' to the team as ${role.name}`,
      metadata: { userId, username: user.username, roleId, role: role.name },
      before: before ? { roleId: before.roleId } : undefined,
      after: { roleId },
    });
    const detail = (await repo.membershipsOf(tx, [userId])).find((m) => m.team.id === teamId);
    if (!detail) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
    return detail;
  });
}

export async function removeTeamMember(
  deps: AppDeps,
  actor: Actor,
  args: { teamId: string; userId: string },
): Promise<boolean> {
  const teamId = v.uuid("teamId", args.teamId);
  const userId = v.uuid("userId", args.userId);
  requireTeam(actor, teamId, "member:manage");
  return transaction(deps, async (tx) => {
    await repo.lockTeamMembers(tx, teamId);
    const user = await requireUser(tx, userId);
    const before = await repo.findMembership(tx, teamId, userId);
    if (!before) throw new AppError("NOT_FOUND", `user ${userId} is not a member of team ${teamId}`);
    await keepATeamAdmin(tx, actor, teamId, userId, null);
    await repo.deleteMembership(tx, teamId, userId);
    await recordActivity(tx, {
      teamId,
      activityType: "user_removed_from_team",
      entityType: "team",
      entityId: teamId,
      actor,
      description: `Removed '${user.username}' from the team`,
      metadata: { userId, username: user.username },
      before: { roleId: before.roleId },
    });
    return true;
  });
}

/** Replaces memberships (see the file comment for who may change what); returns the user's teams. */
export async function assignUserTeams(
  deps: AppDeps,
  actor: Actor,
  userId: string,
  teamIds: string[],
): Promise<repo.TeamRow[]> {
  const id = v.uuid("userId", userId);
  const wanted = [...new Set(teamIds.map((t, i) => v.uuid(`teamIds[${i}]`, t)))];
  for (const teamId of wanted) requireTeam(actor, teamId, "member:manage");
  return transaction(deps, async (tx) => {
    const user = await requireUser(tx, id);
    await requireTeams(tx, wanted);
    const current = await repo.roleIdsByTeam(tx, id);
    const managed = (teamId: string) => actor.isAdmin || can(actor, teamId, "member:manage");
    const added = wanted.filter((t) => !current.has(t));
    const removed = [...current.keys()].filter((t) => !wanted.includes(t) && managed(t));
    for (const teamId of added) {
      await repo.lockTeamMembers(tx, teamId);
      await repo.upsertMembership(tx, { teamId, userId: id, roleId: ROLE_IDS.viewer, assignedBy: actor.userId });
      await recordActivity(tx, {
        teamId,
        activityType: "user_added_to_team",
        entityType: "team",
        entityId: teamId,
        actor,
        description: `Added '${user.username}' to the team as Viewer`,
        metadata: { userId: id, username: user.username, roleId: ROLE_IDS.viewer, role: "Viewer" },
        after: { roleId: ROLE_IDS.viewer },
      });
    }
    for (const teamId of removed) {
      await repo.lockTeamMembers(tx, teamId);
      await keepATeamAdmin(tx, actor, teamId, id, null);
      await repo.deleteMembership(tx, teamId, id);
      await recordActivity(tx, {
        teamId,
        activityType: "user_removed_from_team",
        entityType: "team",
        entityId: teamId,
        actor,
        description: `Removed '${user.username}' from the team`,
        metadata: { userId: id, username: user.username },
        before: { roleId: current.get(teamId) },
      });
    }
    const readable = readableTeamIds(actor);
    return (await repo.membershipsOf(tx, [id]))
      .map((m) => m.team)
      .filter((team) => readable === "all" || readable.includes(team.id));
  });
}

/** Sets the user's one role in a team (compatibility form of `setTeamMember`); returns that role. */
export async function assignUserRoles(
  deps: AppDeps,
  actor: Actor,
  userId: string,
  input: { roleIds: string[]; teamId?: string | null },
): Promise<repo.RoleRow[]> {
  const id = v.uuid("userId", userId);
  if (input.roleIds.length !== 1) {
    throw badInput("input.roleIds", "input.roleIds must hold exactly one role: a user has one role per team");
  }
  let teamId = input.teamId ? v.uuid("input.teamId", input.teamId) : undefined;
  if (!teamId) {
    await visibleUser(deps.db, actor, await findUser(deps.db, id), id);
    const teams = [...(await repo.roleIdsByTeam(deps.db, id)).keys()];
    if (teams.length !== 1) {
      throw badInput("input.teamId", "input.teamId is required unless the user belongs to exactly one team");
    }
    teamId = teams[0];
  }
  const membership = await setTeamMember(deps, actor, { teamId, userId: id, roleId: input.roleIds[0] });
  return [membership.role];
}
