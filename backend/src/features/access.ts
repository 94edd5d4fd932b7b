/** Loading a feature or stage for an actor: a malformed id is BAD_USER_INPUT, another team's is NOT_FOUND. */
import type { Executor } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { notFound } from "../errors";
import { requireTeam, type TeamAction } from "../policy";
import * as v from "../validation";
import * as repo from "./repository";

/** The feature, checked for `action`; with `lock` the row stays locked until the transaction ends. */
export async function featureFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  options: { lock?: boolean; field?: string } = {},
): Promise<repo.FeatureRow> {
  const featureId = v.uuid(options.field ?? "id", id);
  const row = options.lock ? await repo.lockFeature(ex, featureId) : await repo.findFeature(ex, featureId);
  if (!row) throw notFound("feature", featureId);
  requireTeam(actor, row.teamId, action, { entity: "feature", id: featureId });
  return row;
}

/** The stage with its feature and environment, checked for `action`; `lock` locks the stage row. */
export async function stageFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  options: { lock?: boolean; field?: string } = {},
): Promise<repo.StageContext> {
  const stageId = v.uuid(options.field ?? "stageId", id);
  const found = await repo.findStage(ex, stageId, options.lock);
  if (!found) throw notFound("stage", stageId);
  requireTeam(actor, found.feature.teamId, action, { entity: "stage", id: stageId });
  return found;
}

/** Audit metadata naming a stage (reference §6.6): feature id and key, stage id, environment name. */
export function stageMetadata({ stage, feature, environment }: repo.StageContext): Record<string, unknown> {
  return { feature_id: feature.id, feature_key: feature.key, stage_id: stage.id, environment_name: environment.name };
}
