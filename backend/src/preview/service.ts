/**
 * `previewEvaluation`: the console's "test this flag". The flag is built from the database exactly as delivery
 * builds it for the edges (`buildFlag`, `loadTeamSnapshot` when it has dependencies) and evaluated by the engine's
 * reference evaluator with its decision trace.
 */
import { type EvaluationResult, explain, type Flag, type TraceStep } from "@fluxgate/engine";
import type { Actor } from "../actor";
import { buildFlag, loadTeamSnapshot } from "../delivery/snapshot-repository";
import type { AppDeps } from "../deps";
import { badInput, notFound } from "../errors";
import { featureFor } from "../features/access";
import { environmentsOf } from "../features/repository";
import * as v from "../validation";

export interface Preview extends EvaluationResult {
  trace: TraceStep[];
}

export async function previewEvaluation(
  deps: AppDeps,
  actor: Actor,
  featureId: string,
  environmentId: string,
  context: unknown,
): Promise<Preview> {
  const feature = await featureFor(deps.db, actor, featureId, "team:read", { field: "featureId" });
  const envId = v.uuid("environmentId", environmentId);
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw badInput("context", 'context must be a JSON object, e.g. {"targetingKey": "user-1", "country": "US"}');
  }
  const [environment] = await environmentsOf(deps.db, [envId], feature.teamId);
  if (!environment) throw notFound("environment", envId);
  const flag = await buildFlag(deps.db, feature.id);
  if (!flag) throw notFound("feature", feature.id);
  const explanation = explain(flag, envId, context as Record<string, unknown>, {
    flags: await dependencyLookup(deps, flag, feature.teamId),
  });
  return { ...explanation.result, trace: explanation.steps };
}

/** Dependencies are looked up in the team's snapshot; a flag without any needs none. */
async function dependencyLookup(deps: AppDeps, flag: Flag, teamId: string) {
  if (flag.dependencies.length === 0) return undefined;
  const byKey = new Map((await loadTeamSnapshot(deps.db, teamId)).flags.map((f) => [f.key, f]));
  return (key: string) => byKey.get(key);
}
