/** Usernames for the user ids the API returns (who requested or approved a stage change). */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";
import { me } from "./session.ts";

/** Members of a team by id (what the caller may see of them: their username). */
export const teamPeople = createResource<string, Map<string, string>>(async (teamId) => {
  const data = await api.request<{ users: { items: { id: string; username: string }[] } }>(
    "query TeamPeople($teamId: ID) { users(teamId: $teamId, pageNumber: 1, pageSize: 200) { items { id username } } }",
    { teamId },
  );
  return new Map(data.users.items.map((u) => [u.id, u.username]));
});

/** "you", the member's username, or a neutral word when the user is not visible (e.g. an administrator). */
export function nameOf(userId: string): string {
  if (userId === me.value?.id) return "you";
  return teamPeople.data.value?.get(userId) ?? "another user";
}
