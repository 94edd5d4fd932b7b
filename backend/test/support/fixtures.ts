/** Users, teams and sessions for tests, created through the public API. */
import { ROLE_IDS } from "@fluxgate/drizzle";
import type { TeamRole } from "../../src/actor";
import { ROLE_IDS_BY_NAME } from "../../src/actor";
import { dataOf, type Gql } from "./gql";

let counter = 0;
/** A name unique within the test process, e.g. `user-7`. */
export const unique = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 6)}`;

export interface Session {
  userId: string;
  username: string;
  password: string;
  token: string;
}

export const ADMIN_PASSWORD = "admin-password-1";

export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token isTemporary expiresAt user { id username isAdmin } }
  }
`;

export async function login(gql: Gql, username: string, password: string): Promise<string> {
  return dataOf(await gql(LOGIN, { input: { username, password } })).login.token as string;
}

/** Creates the first admin (username `admin`) and logs in. */
export async function createFirstAdmin(gql: Gql, username = "admin"): Promise<Session> {
  const created = dataOf(
    await gql(`mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id } }`, {
      input: {
        username,
        password: ADMIN_PASSWORD,
        firstName: "Ada",
        lastName: "Admin",
        email: `${username}@example.com`,
      },
    }),
  );
  return {
    userId: created.createAdmin.id,
    username,
    password: ADMIN_PASSWORD,
    token: await login(gql, username, ADMIN_PASSWORD),
  };
}

export async function createTeam(
  gql: Gql,
  adminToken: string,
  name = unique("team"),
): Promise<{ id: string; name: string }> {
  const result = await gql(
    `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`,
    { input: { name } },
    adminToken,
  );
  return dataOf(result).createTeam;
}

export interface NewUserOptions {
  /** Make them a member of this team with `role` (default Viewer). */
  teamId?: string;
  role?: TeamRole;
  isAdmin?: boolean;
  /** Keep the password temporary (default false, so the session works at once). */
  temporary?: boolean;
}

/** Registers a user (as `adminToken`) and logs them in. */
export async function createUser(gql: Gql, adminToken: string, options: NewUserOptions = {}): Promise<Session> {
  const username = unique("user");
  const password = `pw-${username}`;
  const result = await gql(
    `mutation($input: RegisterUserInput!) { registerUser(input: $input) { id } }`,
    {
      input: {
        username,
        password,
        firstName: "Test",
        lastName: "User",
        email: `${username}@example.com`,
        isAdmin: options.isAdmin ?? false,
        isTemporaryPassword: options.temporary ?? false,
        teamId: options.teamId,
        roleId: options.teamId ? ROLE_IDS_BY_NAME[options.role ?? "Viewer"] : undefined,
      },
    },
    adminToken,
  );
  const userId = dataOf(result).registerUser.id as string;
  return { userId, username, password, token: await login(gql, username, password) };
}

export { ROLE_IDS };

export interface Organisation {
  admin: Session;
  teamA: { id: string; name: string };
  teamB: { id: string; name: string };
  /** Members of team A, one per role. */
  viewer: Session;
  requester: Session;
  approver: Session;
  teamAdmin: Session;
  /** A Team Admin of team B only. */
  outsider: Session;
}

/** The first admin, teams A and B, a member of A for each role and a Team Admin of B. */
export async function createOrganisation(gql: Gql): Promise<Organisation> {
  const admin = await createFirstAdmin(gql);
  const teamA = await createTeam(gql, admin.token);
  const teamB = await createTeam(gql, admin.token);
  const [viewer, requester, approver, teamAdmin, outsider] = await Promise.all([
    createUser(gql, admin.token, { teamId: teamA.id, role: "Viewer" }),
    createUser(gql, admin.token, { teamId: teamA.id, role: "Requester" }),
    createUser(gql, admin.token, { teamId: teamA.id, role: "Approver" }),
    createUser(gql, admin.token, { teamId: teamA.id, role: "Team Admin" }),
    createUser(gql, admin.token, { teamId: teamB.id, role: "Team Admin" }),
  ]);
  return { admin, teamA, teamB, viewer, requester, approver, teamAdmin, outsider };
}
