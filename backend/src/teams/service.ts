/**
 * Teams. Super-admins create and delete them (the creator is not added as a member: a super-admin already has
 * every right everywhere, and membership is for people who work in the team). Team Admins update their team.
 * Everyone sees the teams they belong to; super-admins see all.
 */
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { AppError, withDbErrors } from "../errors";
import { readableTeamIds, requireAdmin, requireTeam } from "../policy";
import * as v from "../validation";
import * as repo from "./repository";

export type { TeamRow } from "./repository";

export interface CreateTeamInput {
  name: string;
  description?: string | null;
}

export interface UpdateTeamInput {
  name?: string | null;
  description?: string | null;
}

const NAME = { min: 3, max: 50 };
const DESCRIPTION = { max: 200 };

export async function listTeams(deps: AppDeps, actor: Actor): Promise<repo.TeamRow[]> {
  const ids = readableTeamIds(actor);
  return repo.listTeams(deps.db, ids === "all" ? undefined : ids);
}

export async function getTeam(deps: AppDeps, actor: Actor, id: string): Promise<repo.TeamRow> {
  const teamId = v.uuid("id", id);
  requireTeam(actor, teamId, "team:read");
  const team = await repo.findTeam(deps.db, teamId);
  if (!team) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
  return team;
}

export async function createTeam(deps: AppDeps, actor: Actor, input: CreateTeamInput): Promise<repo.TeamRow> {
  requireAdmin(actor, "admin:teams");
  const name = v.text("input.name", input.name, NAME);
  const description = v.optionalText("input.description", input.description, DESCRIPTION) ?? "";
  return withDbErrors({ entity: "team", name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      const team = await repo.insertTeam(tx, { name, description });
      await recordActivity(tx, {
        teamId: team.id,
        activityType: "team_created",
        entityType: "team",
        entityId: team.id,
        actor,
        description: `Created team '${name}'`,
        metadata: { name },
        after: team,
      });
      return team;
    }),
  );
}

export async function updateTeam(
  deps: AppDeps,
  actor: Actor,
  id: string,
  input: UpdateTeamInput,
): Promise<repo.TeamRow> {
  const teamId = v.uuid("id", id);
  requireTeam(actor, teamId, "team:update");
  const changes = {
    name: v.optionalText("input.name", input.name, NAME),
    description: v.optionalText("input.description", input.description, DESCRIPTION),
  };
  return withDbErrors({ entity: "team", name: changes.name, field: "input.name" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await repo.findTeam(tx, teamId);
      if (!before) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
      const after = (await repo.updateTeam(tx, teamId, changes)) as repo.TeamRow;
      await recordActivity(tx, {
        teamId,
        activityType: "team_updated",
        entityType: "team",
        entityId: teamId,
        actor,
        description: `Updated team '${after.name}'`,
        metadata: { name: after.name },
        before,
        after,
      });
      return after;
    }),
  );
}

/** Deletes the team and everything in it (its audit entries too; the deletion itself is logged globally). */
export async function deleteTeam(deps: AppDeps, actor: Actor, id: string): Promise<boolean> {
  requireAdmin(actor, "admin:teams");
  const teamId = v.uuid("id", id);
  return withDbErrors({ entity: "team", field: "id" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await repo.findTeam(tx, teamId);
      if (!before) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
      await repo.deleteTeam(tx, teamId);
      // edges of the team learn it is gone (its clients and flags went with it)
      await recordChange(tx, { teamId, kind: "DELETE", entity: "team", entityId: teamId, key: before.name });
      await recordActivity(tx, {
        teamId: null,
        activityType: "team_deleted",
        entityType: "team",
        entityId: teamId,
        actor,
        description: `Deleted team '${before.name}'`,
        metadata: { name: before.name },
        before,
      });
      return true;
    }),
  );
}
