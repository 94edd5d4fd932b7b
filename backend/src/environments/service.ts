/**
 * Environments: a team's named deployment targets (reference §7.1). Team Admins manage them; members read them.
 * Edges care about every change (flags are served per environment), so each one records a change.
 */
import type { Executor } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { AppError, notFound, withDbErrors } from "../errors";
import { requireTeam, type TeamAction } from "../policy";
import { findTeam } from "../teams/repository";
import * as v from "../validation";
import { filterText, type Page, pageWindow, toPage } from "./listing";
import * as repo from "./repository";

export type { EnvironmentRow } from "./repository";

export interface CreateEnvironmentInput {
  name: string;
  active: boolean;
  requiresApproval?: boolean | null;
}

export interface UpdateEnvironmentInput {
  name?: string | null;
  active?: boolean | null;
  requiresApproval?: boolean | null;
}

export interface ListEnvironmentsArgs {
  teamId: string;
  name?: string | null;
  active?: boolean | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

const NAME = { min: 3, max: 50 };

/** The environment, if the actor may do `action` in its team (other teams' environments are NOT_FOUND). */
async function environmentFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  lock = false,
): Promise<repo.EnvironmentRow> {
  const row = await repo.findEnvironment(ex, id, { lock });
  if (!row) throw notFound("environment", id);
  requireTeam(actor, row.teamId, action, { entity: "environment", id });
  return row;
}

export async function getEnvironment(deps: AppDeps, actor: Actor, id: string): Promise<repo.EnvironmentRow> {
  return environmentFor(deps.db, actor, v.uuid("id", id), "team:read");
}

/** By name; `name` is a case-insensitive prefix. */
export async function listEnvironments(
  deps: AppDeps,
  actor: Actor,
  args: ListEnvironmentsArgs,
): Promise<Page<repo.EnvironmentRow>> {
  const teamId = v.uuid("teamId", args.teamId);
  requireTeam(actor, teamId, "team:read");
  const window = pageWindow(args.pageNumber, args.pageSize);
  const filter = { namePrefix: filterText(args.name), active: args.active ?? undefined };
  const { rows, total } = await repo.listEnvironments(deps.db, teamId, filter, window);
  return toPage(rows, total, window);
}

export async function createEnvironment(
  deps: AppDeps,
  actor: Actor,
  teamIdArg: string,
  input: CreateEnvironmentInput,
): Promise<repo.EnvironmentRow> {
  const teamId = v.uuid("teamId", teamIdArg);
  requireTeam(actor, teamId, "environment:write");
  const name = v.text("input.name", input.name, NAME);
  const fields = { teamId, name, active: input.active, requiresApproval: input.requiresApproval ?? false };
  return withDbErrors({ entity: "environment", name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      if (!(await findTeam(tx, teamId))) throw notFound("team", teamId);
      const environment = await repo.insertEnvironment(tx, fields);
      await recordActivity(tx, {
        teamId,
        activityType: "environment_created",
        entityType: "environment",
        entityId: environment.id,
        actor,
        description: `Created environment '${name}'`,
        metadata: { name },
        after: environment,
      });
      await recordChange(tx, { teamId, entity: "environment", entityId: environment.id, key: name });
      return environment;
    }),
  );
}

export async function updateEnvironment(
  deps: AppDeps,
  actor: Actor,
  idArg: string,
  input: UpdateEnvironmentInput,
): Promise<repo.EnvironmentRow> {
  const id = v.uuid("id", idArg);
  const changes = {
    name: v.optionalText("input.name", input.name, NAME),
    active: input.active ?? undefined,
    requiresApproval: input.requiresApproval ?? undefined,
  };
  return withDbErrors({ entity: "environment", name: changes.name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await environmentFor(tx, actor, id, "environment:write", true);
      const after = await repo.updateEnvironment(tx, id, changes);
      await recordActivity(tx, {
        teamId: after.teamId,
        activityType: "environment_updated",
        entityType: "environment",
        entityId: id,
        actor,
        description: `Updated environment '${after.name}'`,
        metadata: { name: after.name },
        before,
        after,
      });
      await recordChange(tx, { teamId: after.teamId, entity: "environment", entityId: id, key: after.name });
      return after;
    }),
  );
}

/**
 * Refused (CONFLICT) while a client is bound to it. Otherwise its pipeline and feature stages go with it (children
 * re-attach to the removed stage's parent) and every feature that lost a stage is re-sent to the edges.
 */
export async function deleteEnvironment(deps: AppDeps, actor: Actor, idArg: string): Promise<boolean> {
  const id = v.uuid("id", idArg);
  const constraints = {
    clients_environment_id_environments_id_fk: { message: `environment ${id} is bound to a client; unbind it first` },
  };
  return withDbErrors({ entity: "environment", field: "id", constraints }, () =>
    deps.db.transaction(async (tx) => {
      const before = await environmentFor(tx, actor, id, "environment:write", true);
      const bound = await repo.boundClients(tx, id);
      if (bound.length > 0) {
        const names = bound.map((c) => `'${c.name}'`).join(", ");
        throw new AppError(
          "CONFLICT",
          `environment '${before.name}' is bound to clients ${names}: bind them elsewhere or delete them first`,
          { field: "id", details: { clientIds: bound.map((c) => c.id) } },
        );
      }
      const affected = await repo.featuresStagedIn(tx, id);
      const pipelineIds = await repo.pipelinesStagedIn(tx, id);
      await repo.reattachChildStages(tx, id);
      await repo.deleteEnvironment(tx, id);
      const teamId = before.teamId;
      await recordActivity(tx, {
        teamId,
        activityType: "environment_deleted",
        entityType: "environment",
        entityId: id,
        actor,
        description: `Deleted environment '${before.name}'`,
        metadata: { name: before.name, featureKeys: affected.map((f) => f.key), pipelineIds },
        before,
      });
      await recordChange(tx, { teamId, kind: "DELETE", entity: "environment", entityId: id, key: before.name });
      for (const feature of affected) {
        await recordChange(tx, { teamId, entity: "feature", entityId: feature.id, key: feature.key });
      }
      return true;
    }),
  );
}
