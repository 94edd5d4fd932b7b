/** Sessions (`jwt_tokens`), signing keys and the credential columns of `users`. */
import { type Executor, jwtSigningKeys, jwtTokens, users } from "@fluxgate/drizzle";
import { and, desc, eq, gt, isNull, lt, ne, or, sql } from "drizzle-orm";

export type UserRow = typeof users.$inferSelect;
export type SigningKeyRow = typeof jwtSigningKeys.$inferSelect;

export async function findUserByUsername(ex: Executor, username: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.username, username)).limit(1);
  return row;
}

export async function findUserById(ex: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** An enabled admin exists (what `applicationStatus.adminConfigured` reports and `createAdmin` checks). */
export async function enabledAdminExists(ex: Executor): Promise<boolean> {
  const [row] = await ex
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isAdmin, true), eq(users.enabled, true)))
    .limit(1);
  return row !== undefined;
}

export async function recordLogin(ex: Executor, userId: string, at: Date): Promise<void> {
  await ex.update(users).set({ lastLogin: at }).where(eq(users.id, userId));
}

export async function setPassword(ex: Executor, userId: string, passwordHash: string, temporary: boolean) {
  await ex.update(users).set({ passwordHash, isTemporaryPassword: temporary }).where(eq(users.id, userId));
}

export async function insertSession(
  ex: Executor,
  session: { jti: string; userId: string; keyId: string; issuedAt: Date; expiresAt: Date },
): Promise<void> {
  await ex.insert(jwtTokens).values(session);
}

/** The user of a live session: the token row exists, is not revoked, has not expired, belongs to `userId`. */
export async function liveSessionUser(
  ex: Executor,
  jti: string,
  userId: string,
  now: Date,
): Promise<{ user: UserRow; expiresAt: Date } | undefined> {
  const [row] = await ex
    .select({ user: users, expiresAt: jwtTokens.expiresAt })
    .from(jwtTokens)
    .innerJoin(users, eq(users.id, jwtTokens.userId))
    .where(
      and(
        eq(jwtTokens.jti, jti),
        eq(jwtTokens.userId, userId),
        isNull(jwtTokens.revokedAt),
        gt(jwtTokens.expiresAt, now),
      ),
    )
    .limit(1);
  return row;
}

export async function revokeSession(ex: Executor, jti: string, at: Date): Promise<void> {
  await ex
    .update(jwtTokens)
    .set({ revokedAt: at })
    .where(and(eq(jwtTokens.jti, jti), isNull(jwtTokens.revokedAt)));
}

/** Revokes every live session of `userId` (but `exceptJti`); returns how many. */
export async function revokeUserSessions(ex: Executor, userId: string, at: Date, exceptJti?: string): Promise<number> {
  const rows = await ex
    .update(jwtTokens)
    .set({ revokedAt: at })
    .where(
      and(
        eq(jwtTokens.userId, userId),
        isNull(jwtTokens.revokedAt),
        gt(jwtTokens.expiresAt, at),
        exceptJti ? ne(jwtTokens.jti, exceptJti) : undefined,
      ),
    )
    .returning({ jti: jwtTokens.jti });
  return rows.length;
}

export async function revokeAllSessions(ex: Executor, at: Date): Promise<number> {
  const rows = await ex
    .update(jwtTokens)
    .set({ revokedAt: at })
    .where(and(isNull(jwtTokens.revokedAt), gt(jwtTokens.expiresAt, at)))
    .returning({ jti: jwtTokens.jti });
  return rows.length;
}

/** Forgets sessions that expired before `before` (they can no longer be presented anyway). */
export async function deleteExpiredSessions(ex: Executor, before: Date): Promise<number> {
  const rows = await ex.delete(jwtTokens).where(lt(jwtTokens.expiresAt, before)).returning({ jti: jwtTokens.jti });
  return rows.length;
}

export async function activeSigningKey(ex: Executor): Promise<SigningKeyRow | undefined> {
  const [row] = await ex.select().from(jwtSigningKeys).where(eq(jwtSigningKeys.isActive, true)).limit(1);
  return row;
}

/** Keys that can still verify something at `now` (the active one and retired ones within their grace). */
export async function verifyingKeys(ex: Executor, now: Date): Promise<SigningKeyRow[]> {
  return ex
    .select()
    .from(jwtSigningKeys)
    .where(or(eq(jwtSigningKeys.isActive, true), gt(jwtSigningKeys.verifyUntil, now)));
}

export async function listSigningKeys(ex: Executor): Promise<SigningKeyRow[]> {
  return ex.select().from(jwtSigningKeys).orderBy(desc(jwtSigningKeys.createdAt), desc(jwtSigningKeys.isActive));
}

/** Retires the active key: it keeps verifying until `verifyUntil`. */
export async function retireActiveKey(ex: Executor, at: Date, verifyUntil: Date): Promise<void> {
  await ex
    .update(jwtSigningKeys)
    .set({ isActive: false, retiredAt: at, verifyUntil })
    .where(eq(jwtSigningKeys.isActive, true));
}

/** Ends the grace of every retired key at `at` (after all sessions were revoked, nothing needs them). */
export async function expireRetiredKeys(ex: Executor, at: Date): Promise<void> {
  await ex
    .update(jwtSigningKeys)
    .set({ verifyUntil: at })
    .where(and(eq(jwtSigningKeys.isActive, false), gt(jwtSigningKeys.verifyUntil, at)));
}

export async function insertSigningKey(ex: Executor, secret: string, createdBy: string | null): Promise<SigningKeyRow> {
  const [row] = await ex.insert(jwtSigningKeys).values({ secret, createdBy, isActive: true }).returning();
  return row;
}

/** Serializes key-ring changes across replicas for the rest of the transaction. */
export async function lockKeyRing(ex: Executor): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtext('fluxgate:jwt-signing-keys'))`);
}
