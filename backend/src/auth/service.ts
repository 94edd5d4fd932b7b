/**
 * First admin, login, sessions and passwords.
 *
 * - `createAdmin` works only while no enabled admin exists, decided inside the inserting transaction under an
 *   advisory lock, so concurrent calls cannot both succeed.
 * - `login`: unknown user and wrong password give the same error after the same work (a dummy hash is verified);
 *   failures are limited per username and per IP; disabled accounts are refused; each login is a new session.
 * - Passwords: at least 8 characters. `resetPassword` also ends the caller's other sessions; `setTemporaryPassword`
 *   (a super-admin, or a Team Admin of every team the user is in, never for a super-admin) ends all of theirs.
 */
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import type { AppDeps } from "../deps";
import { AppError, badInput, withDbErrors } from "../errors";
import { insertUser } from "../users/repository";
import * as users from "../users/service";
import * as v from "../validation";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./passwords";
import * as repo from "./repository";
import { issueToken } from "./tokens";

export interface LoginResult {
  user: users.UserView;
  token: string;
  isTemporary: boolean;
  expiresAt: Date;
}

export async function applicationStatus(deps: AppDeps): Promise<{ adminConfigured: boolean }> {
  return { adminConfigured: await repo.enabledAdminExists(deps.db) };
}

export async function createAdmin(deps: AppDeps, input: users.NewUserInput): Promise<users.UserView> {
  const fields = await users.prepareNewUser(input);
  return withDbErrors(users.userConstraints(fields.username, fields.email), () =>
    deps.db.transaction(async (tx) => {
      await users.lockAdmins(tx);
      if (await repo.enabledAdminExists(tx)) {
        throw new AppError("FORBIDDEN", "an admin already exists; ask them for an account");
      }
      const row = await insertUser(tx, {
        ...fields,
        isAdmin: true,
        isTemporaryPassword: false,
      });
      const self: Actor = {
        userId: row.id,
        username: row.username,
        isAdmin: true,
        isTemporaryPassword: false,
        memberships: new Map(),
      };
      await recordActivity(tx, {
        teamId: null,
        activityType: "admin_created",
        entityType: "user",
        entityId: row.id,
        actor: self,
        description: `Created the first administrator '${row.username}'`,
        metadata: { username: row.username },
        after: users.publicUser(row),
      });
      return (await users.viewUsers(tx, self, [row]))[0];
    }),
  );
}

export async function login(
  deps: AppDeps,
  input: { username: string; password: string },
  clientIp: string | null,
): Promise<LoginResult> {
  const username = v.text("input.username", input.username, { min: 1, max: 100 });
  if (input.password.length === 0) throw badInput("input.password", "input.password must not be empty");
  const wait = deps.loginLimiter.retryAfter(username, clientIp);
  if (wait > 0) {
    throw new AppError("RATE_LIMITED", `too many failed logins; try again in ${wait} seconds`, {
      details: { retryAfterSeconds: wait },
    });
  }
  const user = await repo.findUserByUsername(deps.db, username);
  const valid = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyAgainstDummy(input.password);
  if (!user || !valid) {
    deps.loginLimiter.failed(username, clientIp);
    if (user) await recordLoginFailure(deps, user, clientIp);
    throw new AppError("UNAUTHENTICATED", "invalid username or password");
  }
  if (!user.enabled) throw new AppError("UNAUTHENTICATED", "this account is disabled; ask an administrator");
  deps.loginLimiter.succeeded(username);
  return deps.db.transaction(async (tx) => {
    const now = new Date();
    await repo.recordLogin(tx, user.id, now);
    const issued = await issueToken(tx, deps.keys, deps.tokens, user.id);
    const actor = { userId: user.id, username: user.username };
    await recordActivity(tx, {
      teamId: null,
      activityType: "user_logged_in",
      entityType: "user",
      entityId: user.id,
      actor,
      description: `'${user.username}' logged in`,
      metadata: { username: user.username, ip: clientIp, jti: issued.jti },
    });
    const self = {
      ...actor,
      isAdmin: user.isAdmin,
      isTemporaryPassword: user.isTemporaryPassword,
      memberships: new Map(),
    };
    const [view] = await users.viewUsers(tx, self, [{ ...user, lastLogin: now }]);
    return { user: view, token: issued.token, isTemporary: user.isTemporaryPassword, expiresAt: issued.expiresAt };
  });
}

async function recordLoginFailure(deps: AppDeps, user: repo.UserRow, clientIp: string | null): Promise<void> {
  await deps.db.transaction((tx) =>
    recordActivity(tx, {
      teamId: null,
      activityType: "user_login_failed",
      entityType: "user",
      entityId: user.id,
      actor: null,
      description: `Failed login for '${user.username}'`,
      metadata: { username: user.username, ip: clientIp },
    }),
  );
}

/** Ends every session of the caller. */
export async function logout(deps: AppDeps, actor: Actor): Promise<boolean> {
  await deps.db.transaction(async (tx) => {
    const count = await repo.revokeUserSessions(tx, actor.userId, new Date());
    await recordActivity(tx, {
      teamId: null,
      activityType: "user_logged_out",
      entityType: "user",
      entityId: actor.userId,
      actor,
      description: `'${actor.username}' logged out everywhere`,
      metadata: { username: actor.username, sessions: count },
    });
  });
  return true;
}

/** Ends only the session of the presented token. */
export async function logoutCurrent(deps: AppDeps, actor: Actor): Promise<boolean> {
  const jti = actor.token?.jti;
  if (!jti) throw new AppError("UNAUTHENTICATED", "no session to end");
  await deps.db.transaction(async (tx) => {
    await repo.revokeSession(tx, jti, new Date());
    await recordActivity(tx, {
      teamId: null,
      activityType: "user_logged_out",
      entityType: "user",
      entityId: actor.userId,
      actor,
      description: `'${actor.username}' logged out`,
      metadata: { username: actor.username, jti },
    });
  });
  return true;
}

export async function resetPassword(
  deps: AppDeps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<boolean> {
  if (input.currentPassword.length === 0) {
    throw badInput("input.currentPassword", "input.currentPassword must not be empty");
  }
  const newPassword = v.password("input.newPassword", input.newPassword);
  if (newPassword === input.currentPassword) {
    throw badInput("input.newPassword", "input.newPassword must be different from the current password");
  }
  const wait = deps.loginLimiter.retryAfter(actor.username, null);
  if (wait > 0) {
    throw new AppError("RATE_LIMITED", `too many wrong passwords; try again in ${wait} seconds`, {
      details: { retryAfterSeconds: wait },
    });
  }
  const user = await repo.findUserById(deps.db, actor.userId);
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    deps.loginLimiter.failed(actor.username, null);
    throw badInput("input.currentPassword", "input.currentPassword is not your current password");
  }
  const hash = await hashPassword(newPassword);
  await deps.db.transaction(async (tx) => {
    await repo.setPassword(tx, user.id, hash, false);
    await repo.revokeUserSessions(tx, user.id, new Date(), actor.token?.jti);
    await recordActivity(tx, {
      teamId: null,
      activityType: "user_password_changed",
      entityType: "user",
      entityId: user.id,
      actor,
      description: `'${user.username}' changed their password`,
      metadata: { username: user.username, temporary: false },
    });
  });
  return true;
}

export async function setTemporaryPassword(
  deps: AppDeps,
  actor: Actor,
  input: { userId: string; temporaryPassword: string },
): Promise<boolean> {
  const userId = v.uuid("input.userId", input.userId);
  const target = await users.visibleUser(deps.db, actor, await repo.findUserById(deps.db, userId), userId);
  if (!(await users.mayManageCredentials(deps.db, actor, target))) {
    throw new AppError(
      "FORBIDDEN",
      "only administrators, or a Team Admin of every team the user belongs to, can set their password",
    );
  }
  const hash = await hashPassword(v.password("input.temporaryPassword", input.temporaryPassword));
  await deps.db.transaction(async (tx) => {
    await repo.setPassword(tx, userId, hash, true);
    const sessions = await repo.revokeUserSessions(tx, userId, new Date());
    await recordActivity(tx, {
      teamId: null,
      activityType: "user_password_changed",
      entityType: "user",
      entityId: userId,
      actor,
      description: `Set a temporary password for '${target.username}'`,
      metadata: { username: target.username, temporary: true, sessionsRevoked: sessions },
    });
  });
  return true;
}
