/** Who is calling: loaded from the database on every request (never from token claims, reference §12-8). */
import { ROLE_IDS } from "@fluxgate/drizzle";

/** Built-in per-team roles, weakest first. */
export type TeamRole = "Viewer" | "Requester" | "Approver" | "Team Admin";

export const ROLE_NAMES_BY_ID: Record<string, TeamRole> = {
  [ROLE_IDS.viewer]: "Viewer",
  [ROLE_IDS.requester]: "Requester",
  [ROLE_IDS.approver]: "Approver",
  [ROLE_IDS.teamAdmin]: "Team Admin",
};

export const ROLE_IDS_BY_NAME: Record<TeamRole, string> = {
  Viewer: ROLE_IDS.viewer,
  Requester: ROLE_IDS.requester,
  Approver: ROLE_IDS.approver,
  "Team Admin": ROLE_IDS.teamAdmin,
};

export interface Actor {
  userId: string;
  username: string;
  /** Global super-admin. */
  isAdmin: boolean;
  isTemporaryPassword: boolean;
  /** teamId → the one role held in that team. */
  memberships: ReadonlyMap<string, TeamRole>;
  /** The presented token (absent for actors built in tests or by internal jobs). */
  token?: { jti: string; expiresAt: Date };
}

/** What an audit entry needs to know about the actor. */
export interface ActorRef {
  userId: string;
  username: string;
}
