/**
 * What a role may do in a team, so the console hides what the server would refuse anyway.
 * Super-admins (`isAdmin`) may do everything; Viewers only read.
 */
export type RoleName = "Team Admin" | "Approver" | "Requester" | "Viewer";

export interface Capabilities {
  /** Create and edit features, rules, dependencies, contexts; request stage changes. */
  edit: boolean;
  /** Approve or reject requested stage changes (never one's own request). */
  approve: boolean;
  /** Engage or release the kill switch. */
  kill: boolean;
  /** Environments, pipelines, clients and the team's members. */
  manageTeam: boolean;
  /** Global administration: users, teams, roles, signing keys. */
  admin: boolean;
}

const NONE: Capabilities = { edit: false, approve: false, kill: false, manageTeam: false, admin: false };

export function capabilities(role: RoleName | null, isAdmin: boolean): Capabilities {
  if (isAdmin) return { edit: true, approve: true, kill: true, manageTeam: true, admin: true };
  switch (role) {
    case "Team Admin":
      return { edit: true, approve: true, kill: true, manageTeam: true, admin: false };
    case "Approver":
      return { edit: true, approve: true, kill: true, manageTeam: false, admin: false };
    case "Requester":
      return { ...NONE, edit: true };
    case "Viewer":
    case null:
      return NONE;
  }
}
