/** The teams the user sees, the selected team (every page is scoped to it) and the role held there. */
import { computed, effect, signal } from "@preact/signals";
import { api } from "./api.ts";
import { type Capabilities, capabilities, type RoleName } from "./permissions.ts";
import { createResource } from "./resource.ts";
import { me, status } from "./session.ts";

export interface Team {
  id: string;
  name: string;
  description: string;
}

export interface TeamInput {
  name: string;
  description: string;
}

const TEAM_KEY = "fluxgate.team";
const TEAM_FIELDS = "id name description";

/** Every team the user may open (all teams for a super-admin). */
export const teams = createResource<string, Team[]>(async () => {
  const data = await api.request<{ teams: Team[] }>(`query Teams { teams { ${TEAM_FIELDS} } }`);
  return data.teams;
});

function stored(): string | null {
  try {
    return globalThis.localStorage?.getItem(TEAM_KEY) ?? null;
  } catch {
    return null;
  }
}

const chosen = signal<string | null>(stored());

/** The selected team: the one chosen last if still visible, else the first. */
export const currentTeam = computed<Team | null>(() => {
  const list = teams.data.value ?? [];
  return list.find((t) => t.id === chosen.value) ?? list[0] ?? null;
});

export const currentTeamId = computed(() => currentTeam.value?.id ?? null);

export function selectTeam(id: string): void {
  chosen.value = id;
  try {
    globalThis.localStorage?.setItem(TEAM_KEY, id);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** The user's role in the selected team; null when not a member (a super-admin visiting). */
export const currentRole = computed<RoleName | null>(() => {
  const team = currentTeamId.value;
  return me.value?.memberships.find((m) => m.team.id === team)?.role.name ?? null;
});

export const can = computed<Capabilities>(() => capabilities(currentRole.value, me.value?.isAdmin ?? false));

export async function createTeam(input: TeamInput): Promise<Team> {
  const { createTeam: team } = await api.request<{ createTeam: Team }>(
    `mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { ${TEAM_FIELDS} } }`,
    { input },
  );
  await teams.refresh();
  selectTeam(team.id);
  return team;
}

export async function updateTeam(id: string, input: TeamInput): Promise<Team> {
  const { updateTeam: team } = await api.request<{ updateTeam: Team }>(
    `mutation UpdateTeam($id: ID!, $input: UpdateTeamInput!) { updateTeam(id: $id, input: $input) { ${TEAM_FIELDS} } }`,
    { id, input },
  );
  await teams.refresh();
  return team;
}

// Signing in (or as another user) reloads the team list; signing out forgets it. A user with a temporary
// password may read nothing but `me` until the reset, so the list waits for "signed-in".
effect(() => {
  const user = me.value;
  if (user && status.value === "signed-in") void teams.load(user.id, true);
  else if (!user) teams.clear();
});

export async function deleteTeam(id: string): Promise<void> {
  await api.request("mutation DeleteTeam($id: ID!) { deleteTeam(id: $id) }", { id });
  await teams.refresh();
}
