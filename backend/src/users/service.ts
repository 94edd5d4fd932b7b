/**
 * User accounts. Visibility: a super-admin sees everyone; others see themselves and the members of their teams
 * (anyone else answers NOT_FOUND). Memberships shown are limited the same way.
 *
 * - `registerUser`: a super-admin, or a Team Admin registering into a team they administer (`teamId` required
 *   then; the new user gets `roleId` there, default Viewer). Only a super-admin may set `isAdmin`. New users get a
 *   temporary password unless `isTemporaryPassword: false`.
 * - `updateUser`: names and email by the user themself or a super-admin; `isAdmin` and `enabled` by a super-admin
 *   only. Disabling revokes the user's sessions. The last enabled administrator cannot be disabled or demoted.
 */
import { type Executor, ROLE_IDS } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { hashPassword } from "../auth/passwords";
import { revokeUserSessions } from "../auth/repository";
import type { AppDeps } from "../deps";
import { AppError, badInput, type DbErrorContext, withDbErrors } from "../errors";
import * as members from "../members/repository";
import { can, requireTeam } from "../policy";
import * as v from "../validation";
import * as repo from "./repository";

export type PublicUser = Omit<repo.UserRow, "passwordHash">;

/** A user as the API shows it: no password hash, memberships the viewer may see. */
export interface UserView extends PublicUser {
  memberships: { team: members.TeamRow; role: members.RoleRow }[];
}

export interface NewUserInput {
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  email: string;
}

export interface RegisterUserInput extends NewUserInput {
  isAdmin?: boolean | null;
  isTemporaryPassword?: boolean | null;
  teamId?: string | null;
  roleId?: string | null;
}

export interface UpdateUserInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  isAdmin?: boolean | null;
  enabled?: boolean | null;
}

const USERNAME = /^[A-Za-z0-9._@+-]+$/;

/** Conflict messages for the two unique columns. */
export const userConstraints = (username: string, email: string): DbErrorContext => ({
  entity: "user",
  name: username,
  field: "input.username",
  constraints: {
    users_username_unique: { message: `user '${username}' already exists`, field: "input.username" },
    users_email_unique: { message: `email '${email}' is already in use`, field: "input.email" },
  },
});

/** Validates a new account and hashes its password. */
export async function prepareNewUser(input: NewUserInput) {
  const username = v.text("input.username", input.username, { min: 3, max: 100 });
  if (!USERNAME.test(username)) {
    throw badInput("input.username", "input.username may contain only letters, digits and . _ @ + -");
  }
  return {
    username,
    passwordHash: await hashPassword(v.password("input.password", input.password)),
    firstName: v.text("input.firstName", input.firstName, { min: 1, max: 100 }),
    lastName: v.text("input.lastName", input.lastName, { min: 1, max: 100 }),
    email: v.email("input.email", input.email),
  };
}

export const publicUser = ({ passwordHash: _, ...user }: repo.UserRow): PublicUser => user;

/** Serializes changes to the set of administrators (createAdmin, demotions, disabling). */
export async function lockAdmins(ex: Executor): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtext('fluxgate:admins'))`);
}

/** Views of `rows` for `actor`, with memberships loaded in one query. */
export async function viewUsers(ex: Executor, actor: Actor, rows: repo.UserRow[]): Promise<UserView[]> {
  const all = await members.membershipsOf(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    ...publicUser(row),
    memberships: all
      .filter(
        (m) => m.userId === row.id && (actor.isAdmin || row.id === actor.userId || actor.memberships.has(m.team.id)),
      )
      .map(({ team, role }) => ({ team, role })),
  }));
}

/** The user if `actor` may see them, else NOT_FOUND. */
async function visibleUser(ex: Executor, actor: Actor, row: repo.UserRow | undefined, label: string) {
  if (!row) throw new AppError("NOT_FOUND", `user ${label} not found`);
  if (actor.isAdmin || row.id === actor.userId) return row;
  const theirs = await members.roleIdsByTeam(ex, row.id);
  if (![...theirs.keys()].some((teamId) => actor.memberships.has(teamId))) {
    throw new AppError("NOT_FOUND", `user ${label} not found`);
  }
  return row;
}

export async function me(deps: AppDeps, actor: Actor): Promise<UserView> {
  const row = await repo.findUser(deps.db, actor.userId);
  if (!row) throw new AppError("UNAUTHENTICATED", "your account no longer exists");
  return (await viewUsers(deps.db, actor, [row]))[0];
}

export async function getUser(deps: AppDeps, actor: Actor, id: string): Promise<UserView> {
  const userId = v.uuid("id", id);
  const row = await visibleUser(deps.db, actor, await repo.findUser(deps.db, userId), userId);
  return (await viewUsers(deps.db, actor, [row]))[0];
}

export async function getUserByUsername(deps: AppDeps, actor: Actor, username: string): Promise<UserView> {
  const row = await visibleUser(deps.db, actor, await repo.findUserByUsername(deps.db, username), `'${username}'`);
  return (await viewUsers(deps.db, actor, [row]))[0];
}

export interface ListUsersArgs {
  teamId?: string | null;
  name?: string | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

/** Users the actor can see, by username; `teamId` limits to that team's members, `name` is a prefix filter. */
export async function listUsers(deps: AppDeps, actor: Actor, args: ListUsersArgs) {
  const paging = v.page(args.pageNumber, args.pageSize, { size: 10, max: 200 });
  let filter: repo.UserFilter;
  if (args.teamId) {
    const teamId = v.uuid("teamId", args.teamId);
    requireTeam(actor, teamId, "team:read");
    filter = { teamIds: [teamId] };
  } else {
    filter = actor.isAdmin ? {} : { teamIds: [...actor.memberships.keys()], alsoUserId: actor.userId };
  }
  const namePrefix = args.name?.trim();
  if (namePrefix) filter.namePrefix = namePrefix;
  const { rows, total } = await repo.listUsers(deps.db, filter, { limit: paging.pageSize, offset: paging.offset });
  return {
    items: await viewUsers(deps.db, actor, rows),
    pageNumber: paging.pageNumber,
    pageSize: paging.pageSize,
    total,
  };
}

export async function registerUser(deps: AppDeps, actor: Actor, input: RegisterUserInput): Promise<UserView> {
  const teamId = input.teamId ? v.uuid("input.teamId", input.teamId) : undefined;
  const roleId = input.roleId ? v.uuid("input.roleId", input.roleId) : ROLE_IDS.viewer;
  if (!actor.isAdmin) {
    if (!teamId)
      throw new AppError("FORBIDDEN", "only administrators can register users outside a team; give input.teamId");
    requireTeam(actor, teamId, "member:manage");
    if (input.isAdmin) throw new AppError("FORBIDDEN", "only administrators can register administrators");
  }
  if (input.roleId && !teamId) throw badInput("input.roleId", "input.roleId needs input.teamId");
  const fields = await prepareNewUser(input);
  return withDbErrors(userConstraints(fields.username, fields.email), () =>
    deps.db.transaction(async (tx) => {
      if (teamId && !(await members.findRole(tx, roleId)))
        throw badInput("input.roleId", `role ${roleId} does not exist`);
      const row = await repo.insertUser(tx, {
        ...fields,
        isAdmin: input.isAdmin ?? false,
        isTemporaryPassword: input.isTemporaryPassword ?? true,
      });
      if (teamId) {
        await withDbErrors({ entity: "team", name: teamId, field: "input.teamId" }, () =>
          members.upsertMembership(tx, { teamId, userId: row.id, roleId, assignedBy: actor.userId }),
        );
      }
      await recordActivity(tx, {
        teamId: teamId ?? null,
        activityType: "user_created",
        entityType: "user",
        entityId: row.id,
        actor,
        description: `Registered user '${row.username}'`,
        metadata: { username: row.username, teamId: teamId ?? null, roleId: teamId ? roleId : null },
        after: publicUser(row),
      });
      return (await viewUsers(tx, actor, [row]))[0];
    }),
  );
}

export async function updateUser(deps: AppDeps, actor: Actor, id: string, input: UpdateUserInput): Promise<UserView> {
  const userId = v.uuid("id", id);
  const self = userId === actor.userId;
  if ((input.isAdmin != null || input.enabled != null) && !actor.isAdmin) {
    await visibleUser(deps.db, actor, await repo.findUser(deps.db, userId), userId);
    throw new AppError("FORBIDDEN", "only administrators can change isAdmin or enabled");
  }
  if (!self && !actor.isAdmin) {
    await visibleUser(deps.db, actor, await repo.findUser(deps.db, userId), userId);
    throw new AppError("FORBIDDEN", "you can only change your own profile");
  }
  const changes = {
    firstName: v.optionalText("input.firstName", input.firstName, { min: 1, max: 100 }),
    lastName: v.optionalText("input.lastName", input.lastName, { min: 1, max: 100 }),
    email: input.email == null ? undefined : v.email("input.email", input.email),
    isAdmin: input.isAdmin ?? undefined,
    enabled: input.enabled ?? undefined,
  };
  return withDbErrors(userConstraints(id, changes.email ?? ""), () =>
    deps.db.transaction(async (tx) => {
      await lockAdmins(tx);
      const before = await repo.findUser(tx, userId);
      if (!before) throw new AppError("NOT_FOUND", `user ${userId} not found`);
      const losesAdmin = before.isAdmin && before.enabled && (changes.isAdmin === false || changes.enabled === false);
      if (losesAdmin && (await repo.countEnabledAdmins(tx)) <= 1) {
        throw new AppError("CONFLICT", "at least one enabled administrator must remain");
      }
      const after = (await repo.updateUser(tx, userId, changes)) as repo.UserRow;
      if (before.enabled && !after.enabled) await revokeUserSessions(tx, userId, new Date());
      await recordActivity(tx, {
        teamId: null,
        activityType:
          before.enabled === after.enabled ? "user_updated" : after.enabled ? "user_enabled" : "user_disabled",
        entityType: "user",
        entityId: userId,
        actor,
        description: `Updated user '${after.username}'`,
        metadata: { username: after.username },
        before: publicUser(before),
        after: publicUser(after),
      });
      return (await viewUsers(tx, actor, [after]))[0];
    }),
  );
}

/** Whether `actor` may manage `userId`'s credentials: a super-admin, or a Team Admin of every team the user is in. */
export async function mayManageCredentials(ex: Executor, actor: Actor, target: repo.UserRow): Promise<boolean> {
  if (actor.isAdmin) return true;
  if (target.isAdmin) return false;
  const teams = [...(await members.roleIdsByTeam(ex, target.id)).keys()];
  return teams.length > 0 && teams.every((teamId) => can(actor, teamId, "member:manage"));
}

export { visibleUser };
