/**
 * Whose analytics a call reads. `teamId` is required unless the actor is a super-admin (who may omit it to read
 * every team); a team the actor is not in, or an environment / client that is not the team's, is NOT_FOUND.
 */
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import { AppError, notFound } from "../errors";
import { requireTeam } from "../policy";
import * as v from "../validation";
import { featureKey } from "./input";
import { allTeamIds, ownerTeam, type TeamSet, teamExists } from "./metrics-repository";
import type { CubeScope } from "./repository";

export interface Filters {
  featureKey?: string | null;
  environmentId?: string | null;
  clientId?: string | null;
}

export interface Scope {
  /** The team asked for; null = every team (super-admins only). */
  teamId: string | null;
  /** Teams the data comes from (narrowed to the filtered environment's or client's team). */
  teams: TeamSet;
  featureKey?: string;
  environmentId?: string;
  clientId?: string;
}

/** Validates `teamId` and the filters and checks the actor may read them. `prefix` names the fields (`input.`). */
export async function resolveScope(
  deps: AppDeps,
  actor: Actor,
  teamId: string | null | undefined,
  filters: Filters = {},
  prefix = "",
): Promise<Scope> {
  const scope: Scope = { teamId: null, teams: "all" };
  if (teamId) {
    scope.teamId = v.uuid("teamId", teamId);
    requireTeam(actor, scope.teamId, "analytics:read");
    if (actor.isAdmin && !(await teamExists(deps.db, scope.teamId))) throw notFound("team", scope.teamId);
    scope.teams = [scope.teamId];
  } else if (!actor.isAdmin) {
    throw new AppError("BAD_USER_INPUT", "teamId is required (only administrators can read every team)", {
      field: "teamId",
    });
  }
  scope.featureKey = featureKey(`${prefix}featureKey`, filters.featureKey);
  for (const entity of ["environment", "client"] as const) {
    const raw = entity === "environment" ? filters.environmentId : filters.clientId;
    if (raw === undefined || raw === null) continue;
    const id = v.uuid(`${prefix}${entity}Id`, raw);
    const owner = await ownerTeam(deps.db, entity, id);
    if (!owner || (scope.teams !== "all" && !scope.teams.includes(owner))) throw notFound(entity, id);
    scope.teams = [owner];
    if (entity === "environment") scope.environmentId = id;
    else scope.clientId = id;
  }
  return scope;
}

/** Re-checks a live stream's scope against the actor as they are now (a revoked membership ends it). */
export function reauthorize(actor: Actor, scope: Scope): void {
  if (scope.teamId) requireTeam(actor, scope.teamId, "analytics:read");
  else if (!actor.isAdmin) throw new AppError("FORBIDDEN", "reading every team needs a global administrator");
}

/** The scope as the cube reads it; "every team" is listed afresh (teams come and go). */
export async function cubeScope(deps: AppDeps, scope: Scope): Promise<CubeScope> {
  return {
    teamIds: scope.teams === "all" ? await allTeamIds(deps.db) : scope.teams,
    featureKey: scope.featureKey,
    environmentId: scope.environmentId,
    clientId: scope.clientId,
  };
}
