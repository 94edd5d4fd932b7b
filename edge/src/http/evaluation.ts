/**
 * One evaluation as the edge serves it: the store's answer, a sticky assignment where the flag keeps one, and the
 * analytics record. Plus the response encodings, cached per result object (the store's results are immutable and
 * shared, so a hot flag's body is encoded once per store version).
 */
import type { Edge } from "../edge.ts";
import { type EvaluationContext, type EvaluationResult, stickyIdentity } from "../store/index.ts";
import type { Scope } from "./scope.ts";

/** Evaluates `flagKey` for the scope; an unknown flag gives the FLAG_NOT_FOUND result (and is not recorded). */
export function evaluateFlag(
  edge: Edge,
  scope: Scope,
  flagKey: string,
  ctx: EvaluationContext,
  now: number,
): EvaluationResult {
  const tenant = scope.tenant;
  const environmentId = scope.environmentId;
  let result = tenant.store.evaluate(flagKey, environmentId, ctx, now);
  if (result.errorCode === "FLAG_NOT_FOUND") return result;
  let prior = false;
  let user: string;
  const sticky = tenant.stickyFlags.size === 0 ? undefined : tenant.stickyFlags.get(flagKey);
  if (sticky === undefined) {
    user = stickyIdentity(ctx, null);
  } else {
    user = stickyIdentity(ctx, sticky.bucketingKeys.get(environmentId));
    // Off-switches (kill, stage not deployed, prerequisites) win over a kept answer.
    if (user !== "" && result.reason !== "DISABLED" && result.reason !== "PREREQUISITE_FAILED") {
      const kept = edge.sticky.lookup(tenant.teamId, flagKey, environmentId, user);
      if (kept !== undefined) {
        result = kept;
        prior = true;
      } else if (result.enabled) {
        edge.sticky.remember(tenant.teamId, flagKey, sticky.id, environmentId, user, result);
      }
    }
  }
  edge.recorder.record(
    scope.client.info.id,
    environmentId,
    flagKey,
    result.variant,
    result.enabled,
    prior,
    user,
    ctx,
    now,
  );
  return result;
}

/** An encoded answer body, cached per result object (and store version). */
export interface EncodedBody {
  version: number;
  /** The flag the body names (OFREP); results are per flag today, but nothing promises they stay unshared. */
  key: string;
  text: string;
  /** The text as a Blob typed application/json, made on first use (respond.ts, jsonBlobResponse). */
  blob: Blob | undefined;
}

const evaluateBodies = new WeakMap<EvaluationResult, EncodedBody>();
const ofrepBodies = new WeakMap<EvaluationResult, EncodedBody>();

/** The body as a Blob typed application/json, made once per cached body. */
export function blobOf(encoded: EncodedBody): Blob {
  encoded.blob ??= new Blob([encoded.text], { type: "application/json" });
  return encoded.blob;
}

/** `/evaluate` reply: `{enabled, variant?, value?, reason, version}`. */
export function encodeEvaluate(result: EvaluationResult, version: number): EncodedBody {
  const hit = evaluateBodies.get(result);
  if (hit !== undefined && hit.version === version) return hit;
  const reply: Record<string, unknown> = { enabled: result.enabled };
  if (result.variant !== "") reply.variant = result.variant;
  if (result.value !== null) reply.value = result.value;
  reply.reason = result.reason;
  reply.version = version;
  const encoded: EncodedBody = { version, key: "", text: JSON.stringify(reply), blob: undefined };
  evaluateBodies.set(result, encoded);
  return encoded;
}

/**
 * OFREP success `{key, value, reason, variant, metadata?}` (ofrep.md, Mapping). PREREQUISITE_FAILED is not an OFREP
 * reason: it is sent as DISABLED (the flag is off for this user) with `metadata["fluxgate.reason"]` saying why.
 */
export function encodeOfrep(flagKey: string, result: EvaluationResult, version: number): EncodedBody {
  const hit = ofrepBodies.get(result);
  if (hit !== undefined && hit.version === version && hit.key === flagKey) return hit;
  const reply: Record<string, unknown> = { key: flagKey, value: result.value };
  if (result.reason === "PREREQUISITE_FAILED") {
    reply.reason = "DISABLED";
    reply.variant = result.variant;
    reply.metadata = { "fluxgate.reason": "PREREQUISITE_FAILED" };
  } else {
    reply.reason = result.reason;
    reply.variant = result.variant;
  }
  if (result.variant === "") delete reply.variant;
  const encoded: EncodedBody = { version, key: flagKey, text: JSON.stringify(reply), blob: undefined };
  ofrepBodies.set(result, encoded);
  return encoded;
}
