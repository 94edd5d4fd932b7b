/** The `teams` table. */
import { type Executor, teams } from "@fluxgate/drizzle";
import { asc, eq, inArray } from "drizzle-orm";

export type TeamRow = typeof teams.$inferSelect;

export async function findTeam(ex: Executor, id: string): Promise<TeamRow | undefined> {
  const [row] = await ex.select().from(teams).where(eq(teams.id, id)).limit(1);
  return row;
}

/** Teams by name; `ids` limits the list (undefined = all). */
export async function listTeams(ex: Executor, ids?: string[]): Promise<TeamRow[]> {
  if (ids && ids.length === 0) return [];
  return ex
    .select()
    .from(teams)
    .where(ids ? inArray(teams.id, ids) : undefined)
    .orderBy(asc(teams.name));
}

export async function insertTeam(ex: Executor, team: { name: string; description: string }): Promise<TeamRow> {
  const [row] = await ex.insert(teams).values(team).returning();
  return row;
}

export async function updateTeam(
  ex: Executor,
  id: string,
  changes: { name?: string; description?: string },
): Promise<TeamRow | undefined> {
  // nothing given: nothing to write (drizzle refuses an empty SET)
  if (Object.values(changes).every((value) => value === undefined)) return findTeam(ex, id);
  const [row] = await ex.update(teams).set(changes).where(eq(teams.id, id)).returning();
  return row;
}

export async function deleteTeam(ex: Executor, id: string): Promise<boolean> {
  const rows = await ex.delete(teams).where(eq(teams.id, id)).returning({ id: teams.id });
  return rows.length > 0;
}
