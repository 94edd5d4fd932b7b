/** Team memberships: one role per (user, team). */
import { type Executor, ROLE_IDS, roles, teamMembers, teams } from "@fluxgate/drizzle";
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";

export type MembershipRow = typeof teamMembers.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type RoleRow = typeof roles.$inferSelect;

export interface MembershipDetail {
  userId: string;
  team: TeamRow;
  role: RoleRow;
}

/** Memberships of several users with their team and role, ordered by team name. */
export async function membershipsOf(ex: Executor, userIds: string[]): Promise<MembershipDetail[]> {
  if (userIds.length === 0) return [];
  return ex
    .select({ userId: teamMembers.userId, team: teams, role: roles })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .innerJoin(roles, eq(roles.id, teamMembers.roleId))
    .where(inArray(teamMembers.userId, userIds))
    .orderBy(asc(teams.name));
}

/** teamId → roleId of one user. */
export async function roleIdsByTeam(ex: Executor, userId: string): Promise<Map<string, string>> {
  const rows = await ex
    .select({ teamId: teamMembers.teamId, roleId: teamMembers.roleId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, userId));
  return new Map(rows.map((r) => [r.teamId, r.roleId]));
}

export async function findMembership(ex: Executor, teamId: string, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await ex
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .limit(1);
  return row;
}

/** Creates the membership or changes its role. */
export async function upsertMembership(
  ex: Executor,
  m: { teamId: string; userId: string; roleId: string; assignedBy: string | null },
): Promise<void> {
  await ex
    .insert(teamMembers)
    .values(m)
    .onConflictDoUpdate({
      target: [teamMembers.userId, teamMembers.teamId],
      set: { roleId: m.roleId, assignedBy: m.assignedBy },
    });
}

export async function deleteMembership(ex: Executor, teamId: string, userId: string): Promise<boolean> {
  const rows = await ex
    .delete(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .returning({ userId: teamMembers.userId });
  return rows.length > 0;
}

export async function listRoles(ex: Executor): Promise<RoleRow[]> {
  return ex.select().from(roles).orderBy(asc(roles.name));
}

export async function findRole(ex: Executor, id: string): Promise<RoleRow | undefined> {
  const [row] = await ex.select().from(roles).where(eq(roles.id, id)).limit(1);
  return row;
}

export async function teamAdminCount(ex: Executor, teamId: string): Promise<number> {
  const [{ n }] = await ex
    .select({ n: count() })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.roleId, ROLE_IDS.teamAdmin)));
  return n;
}

/** Serializes membership changes of one team for the rest of the transaction (the last-Team-Admin rule). */
export async function lockTeamMembers(ex: Executor, teamId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${`fluxgate:team-members:${teamId}`}))`);
}
