/**
 * OFREP (ofrep.md): `POST /ofrep/v1/evaluate/flags/{key}` and bulk `POST /ofrep/v1/evaluate/flags`. The bulk ETag
 * is a function of (store version, client, environment, canonical context), so a matching `If-None-Match` is
 * answered 304 without evaluating anything.
 */
import type { Edge } from "../edge.ts";
import { ROUTE } from "../metrics/prometheus.ts";
import type { EvaluationContext, FlagStore } from "../store/index.ts";
import { bodyProblem, isObject, readJsonBody } from "./body.ts";
import { blobOf, encodeOfrep, evaluateFlag } from "./evaluation.ts";
import { logRequest } from "./log-request.ts";
import { evaluationRequestId } from "./request-id.ts";
import { asProblem, HttpProblem, jsonBlobResponse, ofrepProblem, problemResponseHeaders } from "./respond.ts";
import { headerSecret, resolveScope, type Scope } from "./scope.ts";

type BunRequest = Request & { params?: Record<string, string> };

export function ofrepFlagHandler(edge: Edge): (req: BunRequest) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    const requestId = evaluationRequestId(req, edge.log.debugEnabled);
    const key = flagKeyOf(req);
    let response: Response;
    try {
      response = single(edge, key, await prepare(edge, req, requestId), requestId);
    } catch (error) {
      response = failed(edge, error, key, requestId, undefined);
    }
    const seconds = (performance.now() - started) / 1000;
    edge.http.observe(ROUTE.ofrep_flag, response.status, seconds);
    if (edge.log.debugEnabled) logRequest(edge.log, req, idOf(response, requestId), response.status, seconds);
    return response;
  };
}

export function ofrepBulkHandler(edge: Edge): (req: Request) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    const requestId = evaluationRequestId(req, edge.log.debugEnabled);
    let response: Response;
    try {
      response = bulk(edge, req, await prepare(edge, req, requestId), requestId);
    } catch (error) {
      response = failed(edge, error, undefined, requestId, undefined);
    }
    const seconds = (performance.now() - started) / 1000;
    edge.http.observe(ROUTE.ofrep_bulk, response.status, seconds);
    if (edge.log.debugEnabled) logRequest(edge.log, req, idOf(response, requestId), response.status, seconds);
    return response;
  };
}

/** The id the answer carries (a problem's may be new). */
function idOf(response: Response, requestId: string | undefined): string {
  return requestId ?? response.headers.get("x-request-id") ?? "";
}

/** A problem answered in OFREP's shape; `cors` once the scope (and so the web client) is known. */
function failed(
  edge: Edge,
  error: unknown,
  key: string | undefined,
  requestId: string | undefined,
  cors: Record<string, string> | undefined,
): Response {
  const problem = asProblem(error);
  const headers = problemResponseHeaders(requestId, cors);
  if (problem.status === 500) {
    edge.log.error("OFREP evaluation failed", { request_id: headers["x-request-id"], error });
  }
  return ofrepProblem(problem, key, headers);
}

function flagKeyOf(req: BunRequest): string {
  const raw = req.params?.key ?? new URL(req.url).pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

interface Prepared {
  context: EvaluationContext;
  scope: Scope;
  now: number;
}

function single(edge: Edge, key: string, p: Prepared, requestId: string | undefined): Response {
  try {
    const result = evaluateFlag(edge, p.scope, key, p.context, p.now);
    if (result.errorCode === "FLAG_NOT_FOUND") {
      const problem = new HttpProblem(404, "FLAG_NOT_FOUND", `flag ${key} not found`);
      return ofrepProblem(problem, key, problemResponseHeaders(requestId, p.scope.headers));
    }
    return jsonBlobResponse(blobOf(encodeOfrep(key, result, p.scope.tenant.version)), p.scope.headers);
  } catch (error) {
    return failed(edge, error, key, requestId, p.scope.headers);
  }
}

function bulk(edge: Edge, req: Request, p: Prepared, requestId: string | undefined): Response {
  const { context, scope, now } = p;
  try {
    const version = scope.tenant.version;
    const etag = bulkEtag(version, scope, context);
    const ifNoneMatch = req.headers.get("if-none-match");
    if (ifNoneMatch !== null && etagMatches(ifNoneMatch, etag)) {
      return new Response(null, { status: 304, headers: { ...scope.headers, etag } });
    }
    const parts: string[] = [];
    for (const key of sortedKeys(scope.tenant.store)) {
      parts.push(encodeOfrep(key, evaluateFlag(edge, scope, key, context, now), version).text);
    }
    const body = `{"flags":[${parts.join(",")}],"metadata":{"version":${version}}}`;
    return new Response(body, { headers: { "content-type": "application/json", ...scope.headers, etag } });
  } catch (error) {
    return failed(edge, error, undefined, requestId, scope.headers);
  }
}

/** Parses `{context}` and resolves credentials and environment (the context's `environment_id`). */
async function prepare(edge: Edge, req: Request, requestId: string | undefined): Promise<Prepared> {
  let body: unknown;
  try {
    body = await readJsonBody(req, edge.config.maxBodyBytes);
  } catch (error) {
    throw bodyProblem(error);
  }
  if (body !== undefined && !isObject(body)) throw new HttpProblem(400, "PARSE_ERROR", "body must be a JSON object");
  const raw = body?.context;
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    throw new HttpProblem(400, "INVALID_CONTEXT", "context must be a JSON object");
  }
  const context = (raw ?? {}) as EvaluationContext;
  const environment = context.environment_id;
  if (environment !== undefined && environment !== null && typeof environment !== "string") {
    throw new HttpProblem(400, "INVALID_CONTEXT", "context.environment_id must be a string (environment id or name)");
  }
  const now = Date.now();
  const resolved = resolveScope(edge, req, headerSecret(req), undefined, environment, now, requestId);
  return { context, scope: resolved instanceof Promise ? await resolved : resolved, now };
}

const sortedKeyCache = new WeakMap<FlagStore, string[]>();

function sortedKeys(store: FlagStore): string[] {
  let keys = sortedKeyCache.get(store);
  if (keys === undefined) {
    keys = store.keys();
    sortedKeyCache.set(store, keys);
  }
  return keys;
}

/** `"<version>-<hash of client, environment, canonical context>"`. */
export function bulkEtag(version: number, scope: Scope, context: EvaluationContext): string {
  const input = `${scope.client.info.id}\u0000${scope.environmentId}\u0000${canonicalJson(context)}`;
  return `"${version}-${Bun.hash.wyhash(input).toString(36)}"`;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** JSON with object keys sorted at every level, so equal contexts give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
