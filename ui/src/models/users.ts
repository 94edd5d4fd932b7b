/** User administration: accounts with temporary passwords, enabling, team memberships and roles. */
import { signal } from "@preact/signals";
import { api } from "./api.ts";
import { createResource } from "./resource.ts";
import type { Membership } from "./session.ts";

export interface User {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isAdmin: boolean;
  enabled: boolean;
  isTemporaryPassword: boolean;
  lastLogin: string | null;
  memberships: Membership[];
}

export interface NewUserInput {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  isAdmin: boolean;
  /** Team the new user joins, with roleId (Team Admins must name a team they administer). */
  teamId: string | null;
  roleId: string | null;
}

export interface UserEdit {
  firstName: string;
  lastName: string;
  email: string;
  isAdmin: boolean;
  enabled: boolean;
}

const FIELDS = `id username firstName lastName email isAdmin enabled isTemporaryPassword lastLogin
  memberships { team { id name } role { id name } }`;

export const userSearch = signal("");

export const users = createResource<string, User[]>(async (name) => {
  const data = await api.request<{ users: { items: User[] } }>(
    `query Users($name: String, $pageNumber: Int!, $pageSize: Int!) {
      users(name: $name, pageNumber: $pageNumber, pageSize: $pageSize) { items { ${FIELDS} } } }`,
    { name: name || null, pageNumber: 1, pageSize: 200 },
  );
  return data.users.items;
});

/** A readable temporary password (no look-alike characters), for the admin to hand over. */
export function generatePassword(length = 14, random: (n: number) => number = secureRandom): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[random(alphabet.length)];
  return out;
}

function secureRandom(n: number): number {
  const buffer = new Uint32Array(1);
  crypto.getRandomValues(buffer);
  return buffer[0] % n;
}

export async function registerUser(input: NewUserInput): Promise<void> {
  await api.request("mutation RegisterUser($input: RegisterUserInput!) { registerUser(input: $input) { id } }", {
    input: { ...input, isTemporaryPassword: true },
  });
  await users.refresh();
}

export async function updateUser(id: string, edit: UserEdit): Promise<void> {
  await api.request(
    "mutation UpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }",
    {
      id,
      input: edit,
    },
  );
  await users.refresh();
}

export async function setTemporaryPassword(userId: string, temporaryPassword: string): Promise<void> {
  await api.request(
    "mutation SetTemporaryPassword($input: SetTemporaryPasswordInput!) { setTemporaryPassword(input: $input) }",
    { input: { userId, temporaryPassword } },
  );
  await users.refresh();
}

/** Adds the user to the team with a role, or changes the role they hold there. */
export async function setMembership(teamId: string, userId: string, roleId: string): Promise<void> {
  await api.request(
    `mutation SetTeamMember($teamId: ID!, $userId: ID!, $roleId: ID!) {
      setTeamMember(teamId: $teamId, userId: $userId, roleId: $roleId) { team { id } } }`,
    { teamId, userId, roleId },
  );
  await users.refresh();
}

export async function removeMembership(teamId: string, userId: string): Promise<void> {
  await api.request(
    "mutation RemoveTeamMember($teamId: ID!, $userId: ID!) { removeTeamMember(teamId: $teamId, userId: $userId) }",
    { teamId, userId },
  );
  await users.refresh();
}
