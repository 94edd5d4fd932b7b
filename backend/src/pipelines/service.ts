/**
 * Pipelines: stage-graph templates a feature copies when it is created (reference §7.2). Team Admins manage them;
 * members read them. Features hold their own copy, so edges never see pipelines and no change is recorded.
 */
import type { Executor } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import type { AppDeps } from "../deps";
import { filterText, type Page, pageWindow, toPage } from "../environments/listing";
import { teamEnvironmentIds } from "../environments/repository";
import { badInput, notFound, withDbErrors } from "../errors";
import { requireTeam, type TeamAction } from "../policy";
import { findTeam } from "../teams/repository";
import * as v from "../validation";
import * as repo from "./repository";
import { type PlannedStage, planStages, type RelationshipInput, type StageInput } from "./stages";

export type { PipelineRow, StageWithEnvironment } from "./repository";
export type { RelationshipInput, StageInput } from "./stages";

export interface CreatePipelineInput {
  name: string;
  active?: boolean | null;
  stages: StageInput[];
  relationships: RelationshipInput[];
}

export interface UpdatePipelineInput {
  name?: string | null;
  active?: boolean | null;
  /** Given: replaces every stage (with `relationships`); omitted: stages stay. */
  stages?: StageInput[] | null;
  relationships?: RelationshipInput[] | null;
}

export interface ListPipelinesArgs {
  teamId: string;
  name?: string | null;
  active?: boolean | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

const NAME = { min: 5, max: 100 };

async function pipelineFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  lock = false,
): Promise<repo.PipelineRow> {
  const row = await repo.findPipeline(ex, id, { lock });
  if (!row) throw notFound("pipeline", id);
  requireTeam(actor, row.teamId, action, { entity: "pipeline", id });
  return row;
}

/** Every stage's environment must be one of the team's. */
async function checkEnvironments(tx: Executor, teamId: string, planned: PlannedStage[]): Promise<void> {
  const known = await teamEnvironmentIds(
    tx,
    teamId,
    planned.map((s) => s.environmentId),
  );
  planned.forEach((stage, i) => {
    if (!known.has(stage.environmentId)) {
      const field = `input.stages[${i}].environmentId`;
      throw badInput(field, `${field}: environment ${stage.environmentId} is not an environment of this team`);
    }
  });
}

/** The pipeline with its stages, as the audit log keeps it. */
async function snapshot(tx: Executor, pipeline: repo.PipelineRow) {
  const stages = await repo.stagesOf(tx, [pipeline.id]);
  return {
    ...pipeline,
    stages: stages.map((s) => ({
      id: s.id,
      environmentId: s.environmentId,
      environmentName: s.environment.name,
      orderIndex: s.orderIndex,
      position: s.position,
      parentStageId: s.parentStageId,
    })),
  };
}

export async function getPipeline(deps: AppDeps, actor: Actor, id: string): Promise<repo.PipelineRow> {
  return pipelineFor(deps.db, actor, v.uuid("id", id), "team:read");
}

/** By name; `name` is a case-insensitive prefix. */
export async function listPipelines(
  deps: AppDeps,
  actor: Actor,
  args: ListPipelinesArgs,
): Promise<Page<repo.PipelineRow>> {
  const teamId = v.uuid("teamId", args.teamId);
  requireTeam(actor, teamId, "team:read");
  const window = pageWindow(args.pageNumber, args.pageSize);
  const filter = { namePrefix: filterText(args.name), active: args.active ?? undefined };
  const { rows, total } = await repo.listPipelines(deps.db, teamId, filter, window);
  return toPage(rows, total, window);
}

/** Returns the new pipeline's id (as the original did). */
export async function createPipeline(
  deps: AppDeps,
  actor: Actor,
  teamIdArg: string,
  input: CreatePipelineInput,
): Promise<string> {
  const teamId = v.uuid("teamId", teamIdArg);
  requireTeam(actor, teamId, "pipeline:write");
  const name = v.text("input.name", input.name, NAME);
  const planned = planStages(input.stages, input.relationships);
  return withDbErrors({ entity: "pipeline", name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      if (!(await findTeam(tx, teamId))) throw notFound("team", teamId);
      await checkEnvironments(tx, teamId, planned);
      const pipeline = await repo.insertPipeline(tx, { teamId, name, active: input.active ?? true });
      await repo.replaceStages(tx, pipeline.id, planned);
      await recordActivity(tx, {
        teamId,
        activityType: "pipeline_created",
        entityType: "pipeline",
        entityId: pipeline.id,
        actor,
        description: `Created pipeline '${name}'`,
        metadata: { name, stages: planned.length },
        after: await snapshot(tx, pipeline),
      });
      return pipeline.id;
    }),
  );
}

export async function updatePipeline(
  deps: AppDeps,
  actor: Actor,
  idArg: string,
  input: UpdatePipelineInput,
): Promise<repo.PipelineRow> {
  const id = v.uuid("id", idArg);
  const changes = { name: v.optionalText("input.name", input.name, NAME), active: input.active ?? undefined };
  if (!input.stages && input.relationships) {
    throw badInput("input.relationships", "input.relationships can only be given together with input.stages");
  }
  const planned = input.stages ? planStages(input.stages, input.relationships ?? []) : undefined;
  return withDbErrors({ entity: "pipeline", name: changes.name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      const current = await pipelineFor(tx, actor, id, "pipeline:write", true);
      const before = await snapshot(tx, current);
      if (planned) {
        await checkEnvironments(tx, current.teamId, planned);
        await repo.replaceStages(tx, id, planned);
      }
      const after = await repo.updatePipeline(tx, id, changes);
      await recordActivity(tx, {
        teamId: after.teamId,
        activityType: "pipeline_updated",
        entityType: "pipeline",
        entityId: id,
        actor,
        description: `Updated pipeline '${after.name}'`,
        metadata: { name: after.name, stagesReplaced: planned !== undefined },
        before,
        after: await snapshot(tx, after),
      });
      return after;
    }),
  );
}

/** Features created from the pipeline keep their stages. */
export async function deletePipeline(deps: AppDeps, actor: Actor, idArg: string): Promise<boolean> {
  const id = v.uuid("id", idArg);
  return deps.db.transaction(async (tx) => {
    const current = await pipelineFor(tx, actor, id, "pipeline:write", true);
    const before = await snapshot(tx, current);
    await repo.deletePipeline(tx, id);
    await recordActivity(tx, {
      teamId: current.teamId,
      activityType: "pipeline_deleted",
      entityType: "pipeline",
      entityId: id,
      actor,
      description: `Deleted pipeline '${current.name}'`,
      metadata: { name: current.name },
      before,
    });
    return true;
  });
}
