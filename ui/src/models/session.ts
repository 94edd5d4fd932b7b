/** Who is signed in, and the first-run / login / forced-reset / logout flows. */
import { effect, signal } from "@preact/signals";
import { ApiError } from "../api/errors.ts";
import { api, authProblem, setToken, token } from "./api.ts";
import type { RoleName } from "./permissions.ts";

export interface TeamRef {
  id: string;
  name: string;
}

export interface Membership {
  team: TeamRef;
  role: { id: string; name: RoleName };
}

export interface Me {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isAdmin: boolean;
  isTemporaryPassword: boolean;
  memberships: Membership[];
}

/**
 * `setup`: no admin exists yet (first run); `reset-required`: signed in with a temporary password;
 * `unreachable`: the backend did not answer the status check.
 */
export type SessionStatus = "loading" | "setup" | "signed-out" | "reset-required" | "signed-in" | "unreachable";

export const ME_FIELDS = `id username firstName lastName email isAdmin isTemporaryPassword
  memberships { team { id name } role { id name } }`;

const ME_QUERY = `query Me { me { ${ME_FIELDS} } }`;

export const me = signal<Me | null>(null);
export const status = signal<SessionStatus>("loading");
/** Set when the session ended under the user (expired token): the console says so on the login page. */
export const expired = signal(false);

export interface AdminInput {
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  email: string;
}

function signedIn(user: Me, temporary = user.isTemporaryPassword): void {
  me.value = user;
  expired.value = false;
  status.value = temporary ? "reset-required" : "signed-in";
}

function signOut(sessionExpired: boolean): void {
  setToken(null);
  me.value = null;
  expired.value = sessionExpired;
  status.value = "signed-out";
}

/** Decides the first screen: create-admin, login, forced reset or the console. */
export async function bootstrap(): Promise<void> {
  status.value = "loading";
  try {
    const { applicationStatus } = await api.request<{ applicationStatus: { adminConfigured: boolean } }>(
      "query ApplicationStatus { applicationStatus { adminConfigured } }",
    );
    if (!applicationStatus.adminConfigured) {
      setToken(null);
      status.value = "setup";
      return;
    }
  } catch {
    status.value = "unreachable";
    return;
  }
  if (!token.value) return signOut(false);
  try {
    const { me: user } = await api.request<{ me: Me }>(ME_QUERY);
    signedIn(user);
  } catch (error) {
    if (error instanceof ApiError && error.code === "PASSWORD_RESET_REQUIRED") status.value = "reset-required";
    else if (error instanceof ApiError && error.code === "UNAUTHENTICATED") signOut(false);
    else status.value = "unreachable";
  }
}

export async function login(username: string, password: string): Promise<void> {
  const { login: result } = await api.request<{ login: { user: Me; token: string; isTemporary: boolean } }>(
    `mutation Login($input: LoginInput!) { login(input: $input) { token isTemporary user { ${ME_FIELDS} } } }`,
    { input: { username, password } },
  );
  setToken(result.token);
  signedIn(result.user, result.isTemporary);
}

/** First run: creates the admin, then signs in with it. */
export async function createAdmin(input: AdminInput): Promise<void> {
  await api.request("mutation CreateAdmin($input: CreateAdminInput!) { createAdmin(input: $input) { id } }", {
    input,
  });
  await login(input.username, input.password);
}

export async function resetPassword(currentPassword: string, newPassword: string): Promise<void> {
  await api.request("mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) }", {
    input: { currentPassword, newPassword },
  });
  const { me: user } = await api.request<{ me: Me }>(ME_QUERY);
  signedIn({ ...user, isTemporaryPassword: false }, false);
}

export async function logout(): Promise<void> {
  try {
    await api.request("mutation Logout { logout }");
  } catch {
    // the token is dropped either way; a failed revoke only leaves it to expire
  }
  signOut(false);
}

/** Re-reads the signed-in user (roles and teams change while signed in). */
export async function refreshMe(): Promise<void> {
  const { me: user } = await api.request<{ me: Me }>(ME_QUERY);
  me.value = user;
}

// Any request answered UNAUTHENTICATED ends the session; PASSWORD_RESET_REQUIRED forces the reset page.
effect(() => {
  const problem = authProblem.value;
  if (problem === "UNAUTHENTICATED" && status.peek() !== "signed-out") signOut(true);
  else if (problem === "PASSWORD_RESET_REQUIRED") status.value = "reset-required";
});
