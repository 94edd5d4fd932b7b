/** The `users` table (the credential columns are handled by auth/repository.ts). */
import { type Executor, teamMembers, users } from "@fluxgate/drizzle";
import { and, asc, count, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

export async function insertUser(ex: Executor, user: NewUser): Promise<UserRow> {
  const [row] = await ex.insert(users).values(user).returning();
  return row;
}

export async function updateUser(
  ex: Executor,
  id: string,
  changes: Partial<Pick<UserRow, "firstName" | "lastName" | "email" | "isAdmin" | "enabled">>,
): Promise<UserRow | undefined> {
  // nothing given: nothing to write (drizzle refuses an empty SET)
  if (Object.values(changes).every((value) => value === undefined)) return findUser(ex, id);
  const [row] = await ex.update(users).set(changes).where(eq(users.id, id)).returning();
  return row;
}

export async function findUser(ex: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function findUserByUsername(ex: Executor, username: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.username, username)).limit(1);
  return row;
}

export async function countEnabledAdmins(ex: Executor): Promise<number> {
  const [{ n }] = await ex
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.isAdmin, true), eq(users.enabled, true)));
  return n;
}

export interface UserFilter {
  /** Only members of one of these teams (undefined = everyone). */
  teamIds?: string[];
  /** Also include this user whatever their teams (the caller themself). */
  alsoUserId?: string;
  /** Case-insensitive prefix of username, first or last name. */
  namePrefix?: string;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function where(filter: UserFilter): SQL | undefined {
  const inTeams =
    filter.teamIds === undefined
      ? undefined
      : filter.teamIds.length === 0
        ? sql`false`
        : sql`exists (select 1 from ${teamMembers} where ${teamMembers.userId} = ${users.id} and ${inArray(teamMembers.teamId, filter.teamIds)})`;
  const scope = inTeams && filter.alsoUserId ? or(inTeams, eq(users.id, filter.alsoUserId)) : inTeams;
  const pattern = filter.namePrefix ? `${escapeLike(filter.namePrefix)}%` : undefined;
  const name = pattern
    ? or(ilike(users.username, pattern), ilike(users.firstName, pattern), ilike(users.lastName, pattern))
    : undefined;
  return and(scope, name);
}

/** Ordered by username. */
export async function listUsers(
  ex: Executor,
  filter: UserFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const condition = where(filter);
  const rows = await ex
    .select()
    .from(users)
    .where(condition)
    .orderBy(asc(users.username))
    .limit(page.limit)
    .offset(page.offset);
  const [{ total }] = await ex.select({ total: count() }).from(users).where(condition);
  return { rows, total };
}
