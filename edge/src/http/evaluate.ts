/**
 * `POST /evaluate` (architecture.md, Public interfaces): the original edge's contract. Body
 * `{feature_key, environment_id, context: [{key, value}], client_id?, client_secret?}`; reply
 * `{enabled, variant?, value?, reason, version}`; unknown flag 404 `{enabled: false, error_code: "FLAG_NOT_FOUND"}`.
 */
import type { Edge } from "../edge.ts";
import { ROUTE } from "../metrics/prometheus.ts";
import type { EvaluationContext } from "../store/index.ts";
import { bodyProblem, isObject, readJsonBody } from "./body.ts";
import { blobOf, encodeEvaluate, evaluateFlag } from "./evaluation.ts";
import { logRequest } from "./log-request.ts";
import { evaluationRequestId } from "./request-id.ts";
import { asProblem, evaluateProblem, HttpProblem, jsonBlobResponse, problemResponseHeaders } from "./respond.ts";
import { headerSecret, resolveScope, type Scope } from "./scope.ts";

const FLAG_NOT_FOUND_BODY = '{"enabled":false,"error_code":"FLAG_NOT_FOUND"}';

export interface EvaluateInput {
  featureKey: string;
  environment: string | null;
  context: EvaluationContext;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/**
 * The hot path: one async function whose only usual await is the body (`answer` is synchronous unless a secret new
 * to this edge must be checked with the backend).
 */
export function evaluateHandler(edge: Edge): (req: Request) => Promise<Response> {
  const maxBytes = edge.config.maxBodyBytes;
  return async (req) => {
    const started = performance.now();
    let requestId = evaluationRequestId(req, edge.log.debugEnabled);
    let response: Response;
    let code: string | undefined;
    try {
      let body: unknown;
      try {
        body = await readJsonBody(req, maxBytes);
      } catch (error) {
        throw bodyProblem(error);
      }
      const input = parseEvaluateBody(body);
      const answered = answer(edge, req, input, requestId);
      response = answered instanceof Promise ? await answered : answered;
    } catch (error) {
      const problem = asProblem(error);
      const headers = problemResponseHeaders(requestId, undefined);
      requestId = headers["x-request-id"];
      if (problem.status === 500) edge.log.error("evaluate failed", { request_id: requestId, error });
      code = problem.code;
      response = evaluateProblem(problem, headers);
    }
    const seconds = (performance.now() - started) / 1000;
    edge.http.observe(ROUTE.evaluate, response.status, seconds);
    if (edge.log.debugEnabled) logRequest(edge.log, req, requestId ?? "", response.status, seconds, code);
    return response;
  };
}

function answer(
  edge: Edge,
  req: Request,
  input: EvaluateInput,
  requestId: string | undefined,
): Response | Promise<Response> {
  const now = Date.now();
  const secret = input.clientSecret ?? headerSecret(req);
  const resolved = resolveScope(edge, req, secret, input.clientId, input.environment, now, requestId);
  if (resolved instanceof Promise) return resolved.then((scope) => answerIn(edge, req, scope, input, now, requestId));
  return answerIn(edge, req, resolved, input, now, requestId);
}

/** The answer once the scope is known; problems from here on still carry the web client's CORS headers. */
function answerIn(
  edge: Edge,
  req: Request,
  scope: Scope,
  input: EvaluateInput,
  now: number,
  requestId: string | undefined,
): Response {
  try {
    const result = evaluateFlag(edge, scope, input.featureKey, input.context, now);
    if (result.errorCode === "FLAG_NOT_FOUND") {
      return new Response(FLAG_NOT_FOUND_BODY, {
        status: 404,
        headers: problemResponseHeaders(requestId, scope.headers),
      });
    }
    const body = encodeEvaluate(result, scope.tenant.version);
    if (req.url.indexOf("explain=") !== -1 && wantsExplain(req.url)) return explained(scope, input, body.text);
    return jsonBlobResponse(blobOf(body), scope.headers);
  } catch (error) {
    const problem = asProblem(error);
    const headers = problemResponseHeaders(requestId, scope.headers);
    if (problem.status === 500) edge.log.error("evaluate failed", { request_id: headers["x-request-id"], error });
    return evaluateProblem(problem, headers);
  }
}

function wantsExplain(url: string): boolean {
  const value = new URL(url).searchParams.get("explain");
  return value === "1" || value === "true";
}

/** The reply plus the engine's decision trace (rule, hash input, bucket, threshold). */
function explained(scope: Scope, input: EvaluateInput, body: string): Response {
  const trace = scope.tenant.store.explain(input.featureKey, scope.environmentId, input.context);
  const reply = { ...JSON.parse(body), explain: { environment_id: scope.environmentId, steps: trace.steps } };
  return new Response(JSON.stringify(reply), { headers: { "content-type": "application/json", ...scope.headers } });
}

/** Validates the body; a problem names the field. */
export function parseEvaluateBody(body: unknown): EvaluateInput {
  if (!isObject(body)) {
    throw bad("body must be a JSON object with feature_key, environment_id and context");
  }
  const featureKey = body.feature_key;
  if (typeof featureKey !== "string" || featureKey === "") throw bad("feature_key must be a non-empty string");
  return {
    featureKey,
    environment: optionalString(body.environment_id, "environment_id") ?? null,
    context: contextOf(body.context),
    clientId: optionalString(body.client_id, "client_id"),
    clientSecret: optionalString(body.client_secret, "client_secret"),
  };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw bad(`${field} must be a string`);
  return value;
}

/** `[{key, value}]` → an attribute object; the first occurrence of a key wins (as in the original). */
function contextOf(list: unknown): EvaluationContext {
  const ctx: EvaluationContext = Object.create(null);
  if (list === undefined || list === null) return ctx;
  if (!Array.isArray(list)) throw bad("context must be an array of {key, value} pairs");
  for (let i = 0; i < list.length; i++) {
    const pair = list[i];
    if (!isObject(pair)) throw bad(`context[${i}] must be an object {key, value}`);
    const key = pair.key;
    const value = pair.value;
    if (typeof key !== "string" || key === "") throw bad(`context[${i}].key must be a non-empty string`);
    if (
      typeof value !== "string" &&
      typeof value !== "boolean" &&
      !(typeof value === "number" && Number.isFinite(value))
    ) {
      throw bad(`context[${i}].value must be a string, number or boolean`);
    }
    if (!(key in ctx)) ctx[key] = value;
  }
  return ctx;
}

function bad(message: string): HttpProblem {
  return new HttpProblem(400, "INVALID_REQUEST", message);
}
