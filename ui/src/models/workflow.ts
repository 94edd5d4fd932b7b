/**
 * The stage deployment workflow (reference §6.6): which status changes a user may ask for from a
 * stage's current status, given their role. The server enforces the same machine; this only decides
 * which buttons to show.
 */
import type { Capabilities } from "./permissions.ts";

export const STAGE_STATUSES = [
  "NOT_DEPLOYED",
  "DEPLOYMENT_REQUESTED",
  "DEPLOYMENT_REJECTED",
  "DEPLOYED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_REJECTED",
  "ROLLBACKED",
] as const;

export type StageStatus = (typeof STAGE_STATUSES)[number];

export const STATUS_LABELS: Record<StageStatus, string> = {
  NOT_DEPLOYED: "Not deployed",
  DEPLOYMENT_REQUESTED: "Deployment requested",
  DEPLOYMENT_REJECTED: "Deployment rejected",
  DEPLOYED: "Deployed",
  ROLLBACK_REQUESTED: "Rollback requested",
  ROLLBACK_REJECTED: "Rollback rejected",
  ROLLBACKED: "Rolled back",
};

/** `live` = serving its rules; `pending` = waiting for a decision; `off` = not serving. */
export function statusTone(status: StageStatus, enabled: boolean): "live" | "pending" | "off" {
  if (status === "DEPLOYMENT_REQUESTED" || status === "ROLLBACK_REQUESTED") return "pending";
  return enabled ? "live" : "off";
}

export interface StageAction {
  to: StageStatus;
  label: string;
  /** The capability it takes: asking for a change, or deciding on one. */
  needs: "request" | "decide";
  tone: "primary" | "danger" | "neutral";
}

const request = (to: StageStatus, label: string): StageAction => ({ to, label, needs: "request", tone: "primary" });

const TRANSITIONS: Record<StageStatus, StageAction[]> = {
  NOT_DEPLOYED: [request("DEPLOYMENT_REQUESTED", "Request deployment")],
  DEPLOYMENT_REQUESTED: [
    { to: "DEPLOYED", label: "Approve deployment", needs: "decide", tone: "primary" },
    { to: "DEPLOYMENT_REJECTED", label: "Reject deployment", needs: "decide", tone: "danger" },
  ],
  DEPLOYMENT_REJECTED: [request("DEPLOYMENT_REQUESTED", "Request deployment again")],
  DEPLOYED: [{ ...request("ROLLBACK_REQUESTED", "Request rollback"), tone: "neutral" }],
  ROLLBACK_REQUESTED: [
    { to: "ROLLBACKED", label: "Approve rollback", needs: "decide", tone: "danger" },
    { to: "ROLLBACK_REJECTED", label: "Reject rollback", needs: "decide", tone: "neutral" },
  ],
  ROLLBACK_REJECTED: [{ ...request("ROLLBACK_REQUESTED", "Request rollback again"), tone: "neutral" }],
  ROLLBACKED: [request("DEPLOYMENT_REQUESTED", "Request deployment")],
};

export interface StageForActions {
  status: StageStatus;
  /** Id of the user who asked for the pending change. */
  requestedBy?: string | null;
  /** False: a Requester may also deploy and roll back directly, without a request. */
  requiresApproval?: boolean;
}

/** Where no approval is required, the changes a Requester may make at once (and the label for them). */
const DIRECT: Partial<Record<StageStatus, StageAction>> = {
  NOT_DEPLOYED: { to: "DEPLOYED", label: "Deploy now", needs: "request", tone: "primary" },
  DEPLOYMENT_REJECTED: { to: "DEPLOYED", label: "Deploy now", needs: "request", tone: "primary" },
  ROLLBACKED: { to: "DEPLOYED", label: "Deploy now", needs: "request", tone: "primary" },
  DEPLOYED: { to: "ROLLBACKED", label: "Roll back now", needs: "request", tone: "danger" },
  ROLLBACK_REJECTED: { to: "ROLLBACKED", label: "Roll back now", needs: "request", tone: "danger" },
};

export interface StageActions {
  actions: StageAction[];
  /** Why a pending decision shows no buttons, when that is the case. */
  note: string | null;
}

/**
 * The actions `userId` with `can` may take on `stage`; an approver never decides their own request. Without
 * required approval the direct change comes first and asking for a review stays possible.
 */
export function stageActions(stage: StageForActions, can: Capabilities, userId: string | null): StageActions {
  const direct = stage.requiresApproval === false ? DIRECT[stage.status] : undefined;
  const requests = (TRANSITIONS[stage.status] ?? []).map((a) =>
    direct && a.needs === "request" ? { ...a, tone: "neutral" as const } : a,
  );
  const all = direct ? [direct, ...requests] : requests;
  const ownRequest = stage.requestedBy != null && stage.requestedBy === userId;
  const actions = all.filter((a) => (a.needs === "request" ? can.edit : can.approve && !ownRequest));
  const decisionPending = all.some((a) => a.needs === "decide");
  let note: string | null = null;
  if (decisionPending && !actions.some((a) => a.needs === "decide")) {
    note =
      can.approve && ownRequest
        ? "You requested this change; another approver must decide."
        : "Waiting for an approver's decision.";
  }
  return { actions, note };
}
