/**
 * The stage deployment state machine (reference §6.6), pure. Three kinds of step:
 * - request: *_REQUESTED, by a Requester;
 * - decision: approve (DEPLOYED / ROLLBACKED) or reject a pending request, by an Approver who did not request it;
 * - direct: deploy or roll back without a request, allowed only where the environment does not require approval.
 */
import type { featureStages, StageStatus } from "@fluxgate/drizzle";
import type { ActivityType } from "../audit/types";

export type { StageStatus } from "@fluxgate/drizzle";
export type StepKind = "request" | "decision" | "direct";

/** The original's table. */
const NEXT: Record<StageStatus, readonly StageStatus[]> = {
  NOT_DEPLOYED: ["DEPLOYMENT_REQUESTED"],
  DEPLOYMENT_REQUESTED: ["DEPLOYMENT_REJECTED", "DEPLOYED"],
  DEPLOYMENT_REJECTED: ["DEPLOYMENT_REQUESTED"],
  DEPLOYED: ["ROLLBACK_REQUESTED"],
  ROLLBACK_REQUESTED: ["ROLLBACK_REJECTED", "ROLLBACKED"],
  ROLLBACK_REJECTED: ["ROLLBACK_REQUESTED"],
  ROLLBACKED: ["DEPLOYMENT_REQUESTED"],
};

/** Where approval is not required: deploy from any undeployed state, roll back from any deployed one. */
const DIRECT: Partial<Record<StageStatus, StageStatus>> = {
  NOT_DEPLOYED: "DEPLOYED",
  DEPLOYMENT_REJECTED: "DEPLOYED",
  ROLLBACKED: "DEPLOYED",
  DEPLOYED: "ROLLBACKED",
  ROLLBACK_REJECTED: "ROLLBACKED",
};

/** What kind of step `from -> to` is, or null when it is not allowed. */
export function stepKind(from: StageStatus, to: StageStatus, requiresApproval: boolean): StepKind | null {
  if (NEXT[from]?.includes(to)) return to.endsWith("_REQUESTED") ? "request" : "decision";
  if (!requiresApproval && DIRECT[from] === to) return "direct";
  return null;
}

/** The message for a refused step, with the way forward when approval is what is missing. */
export function invalidTransition(
  from: StageStatus,
  to: StageStatus,
  environment: { name: string; requiresApproval: boolean },
) {
  const message = `invalid transition: ${from} -> ${to}`;
  if (environment.requiresApproval && DIRECT[from] === to) {
    const request = to === "DEPLOYED" ? "DEPLOYMENT_REQUESTED" : "ROLLBACK_REQUESTED";
    return `${message} (environment '${environment.name}' requires approval: request ${request} first)`;
  }
  return message;
}

/** The stage columns a step sets; `enabled` follows DEPLOYED (on) and ROLLBACKED (off), else stays. */
export function stepEffects(
  to: StageStatus,
  kind: StepKind,
  actorId: string,
  now: Date,
): Partial<typeof featureStages.$inferInsert> {
  const enabled = to === "DEPLOYED" ? { enabled: true } : to === "ROLLBACKED" ? { enabled: false } : {};
  if (kind === "request") {
    return { status: to, requestedUser: actorId, requestedTime: now, approvedUser: null, approvedTime: null };
  }
  const decided = { status: to, approvedUser: actorId, approvedTime: now, ...enabled };
  return kind === "direct" ? { ...decided, requestedUser: actorId, requestedTime: now } : decided;
}

export function activityOf(to: StageStatus): ActivityType {
  if (to === "DEPLOYED") return "stage_deployed";
  if (to === "ROLLBACKED") return "stage_rollbacked";
  return to.endsWith("_REJECTED") ? "stage_rejected" : "stage_change_requested";
}

/** Audit description, e.g. "Deployed feature 'k' to environment 'E'". */
export function describeStep(to: StageStatus, featureKey: string, environmentName: string): string {
  const where = `feature '${featureKey}' in environment '${environmentName}'`;
  switch (to) {
    case "DEPLOYED":
      return `Deployed feature '${featureKey}' to environment '${environmentName}'`;
    case "ROLLBACKED":
      return `Rolled back ${where}`;
    case "DEPLOYMENT_REQUESTED":
      return `Requested deployment of ${where}`;
    case "ROLLBACK_REQUESTED":
      return `Requested rollback of ${where}`;
    case "DEPLOYMENT_REJECTED":
      return `Rejected deployment of ${where}`;
    case "ROLLBACK_REJECTED":
      return `Rejected rollback of ${where}`;
    case "NOT_DEPLOYED":
      return `Reset ${where}`;
  }
}

/** Statuses awaiting an Approver. */
export const PENDING: readonly StageStatus[] = ["DEPLOYMENT_REQUESTED", "ROLLBACK_REQUESTED"];
