/**
 * The stage deployment workflow: `requestStageChange` (reference §6.6, with team roles, no self-approval and
 * direct deploys where the environment does not require approval) and `pendingApprovals`.
 */
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { pageWindow, toPage } from "../environments/listing";
import { badInput, forbidden } from "../errors";
import { stageFor, stageMetadata } from "../features/access";
import * as features from "../features/repository";
import type { FeaturePage } from "../features/service";
import { readableTeamIds, requireTeam } from "../policy";
import * as v from "../validation";
import { hasPendingStage } from "./repository";
import { activityOf, describeStep, invalidTransition, type StageStatus, stepEffects, stepKind } from "./transitions";

/** Moves the stage to `request`; returns its feature. */
export async function requestStageChange(
  deps: AppDeps,
  actor: Actor,
  stageId: string,
  request: StageStatus,
): Promise<features.FeatureRow> {
  return deps.db.transaction(async (tx) => {
    // every step needs at least a Requester, so a Viewer is refused before the step is even looked at
    const found = await stageFor(tx, actor, stageId, "stage:request", { lock: true });
    const { stage, feature, environment } = found;
    const from = stage.status as StageStatus;
    const kind = stepKind(from, request, environment.requiresApproval);
    if (!kind) throw badInput("request", invalidTransition(from, request, environment));
    if (kind === "decision") {
      requireTeam(actor, feature.teamId, "stage:approve", { entity: "stage", id: stage.id });
      if (stage.requestedUser === actor.userId) {
        throw forbidden(`you requested this change (${from}); another Approver has to approve or reject it`);
      }
    }
    const after = await features.updateStage(tx, stage.id, stepEffects(request, kind, actor.userId, new Date()));
    await recordActivity(tx, {
      teamId: feature.teamId,
      activityType: activityOf(request),
      entityType: "stage",
      entityId: stage.id,
      actor,
      description: describeStep(request, feature.key, environment.name),
      metadata: { ...stageMetadata(found), status: request, previous_status: from, direct: kind === "direct" },
      before: stage,
      after,
    });
    if (after.enabled !== stage.enabled) {
      await recordChange(tx, { teamId: feature.teamId, entity: "feature", entityId: feature.id, key: feature.key });
    }
    return feature;
  });
}

export interface PendingApprovalsArgs {
  teamId?: string | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

/** Features with a stage awaiting an Approver, by key: of the team, or of every team the actor can read. */
export async function pendingApprovals(deps: AppDeps, actor: Actor, args: PendingApprovalsArgs): Promise<FeaturePage> {
  let teamIds: string[] | undefined;
  if (args.teamId) {
    const teamId = v.uuid("teamId", args.teamId);
    requireTeam(actor, teamId, "team:read");
    teamIds = [teamId];
  } else {
    const readable = readableTeamIds(actor);
    teamIds = readable === "all" ? undefined : readable;
  }
  const window = pageWindow(args.pageNumber, args.pageSize);
  const { rows, total } = await features.listFeatures(deps.db, { teamIds, where: hasPendingStage }, window);
  return toPage(rows, total, window);
}
