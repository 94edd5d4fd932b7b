/** Evaluate and GetFeatureByKey: exact key lookup in the client's team, through the engine. */
import { type EvaluationContext, evaluate } from "@fluxgate/engine";
import type { ContextPair, EvaluateResponse, FeatureFull } from "@fluxgate/proto";
import type { ClientRecord } from "./auth.ts";
import { DeliveryError, invalid } from "./errors.ts";
import { toFeatureFull } from "./feature-full.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import type { TeamState } from "./team-state.ts";

export interface EvaluateInput {
  featureKey: string;
  environment: string;
  context: ContextPair[];
}

export function evaluateFlag(team: TeamState, client: ClientRecord, input: EvaluateInput): EvaluateResponse {
  if (!input.environment) throw invalid("environment_id is required");
  const record = findFlag(team, input.featureKey);
  const environmentId = resolveEnvironment(team, input.environment);
  if (client.environmentId && environmentId !== client.environmentId) {
    throw new DeliveryError("PERMISSION_DENIED", "client is bound to another environment");
  }
  const ctx: EvaluationContext = {};
  for (const { key, value } of input.context) ctx[key] = value;
  const result = evaluate(record.flag, environmentId, ctx, { flags: team.engineFlag, environments: team.environments });
  return {
    enabled: result.enabled,
    variant: result.variant,
    value_json: JSON.stringify(result.value),
    reason: result.reason,
    error_code: result.errorCode ?? "",
    version: team.version,
    rule_id: result.ruleId ?? "",
  };
}

export function featureByKey(team: TeamState, client: ClientRecord, featureKey: string): FeatureFull {
  return toFeatureFull(findFlag(team, featureKey), client.environmentId);
}

function findFlag(team: TeamState, featureKey: string): FlagRecord {
  if (!featureKey) throw invalid("feature_key is required");
  const record = team.flag(featureKey);
  if (!record) throw new DeliveryError("NOT_FOUND", `flag not found: ${featureKey}`);
  return record;
}

/** Environment id for an id or a name of the team; unknown text is kept (the engine then finds no stage). */
function resolveEnvironment(team: TeamState, environment: string): string {
  const byId = team.environments.find((e) => e.id === environment.toLowerCase());
  return byId?.id ?? team.environments.find((e) => e.name === environment)?.id ?? environment;
}
