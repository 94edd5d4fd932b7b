/**
 * OFREP (ofrep.md): `POST /ofrep/v1/evaluate/flags/{key}` and bulk `POST /ofrep/v1/evaluate/flags`. The bulk ETag
 * is a function of (store version, client, environment, canonical context), so a matching `If-None-Match` is
 * answered 304 without evaluating anything.
 */
import type { Edge } from "../edge.ts";
import { ROUTE } from "../metrics/prometheus.ts";
import type { EvaluationContext, FlagStore } from "../store/index.ts";
import { isObject, readJson } from "./body.ts";
import { encodeOfrep, evaluateFlag } from "./evaluation.ts";
import { logRequest } from "./log-request.ts";
import { jsonHeaders, requestIdOf } from "./request-id.ts";
import { asProblem, HttpProblem, ofrepProblem } from "./respond.ts";
import { headerSecret, resolveScope, type Scope } from "./scope.ts";

type BunRequest = Request & { params?: Record<string, string> };

export function ofrepFlagHandler(edge: Edge): (req: BunRequest) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    const headers = jsonHeaders(requestId);
    const key = flagKeyOf(req);
    let response: Response;
    try {
      response = await single(edge, req, key, headers);
    } catch (error) {
      response = failed(edge, error, key, requestId, headers);
    }
    const seconds = (performance.now() - started) / 1000;
    edge.http.observe(ROUTE.ofrep_flag, response.status, seconds);
    if (edge.log.debugEnabled) logRequest(edge.log, req, requestId, response.status, seconds);
    return response;
  };
}

export function ofrepBulkHandler(edge: Edge): (req: Request) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    const headers = jsonHeaders(requestId);
    let response: Response;
    try {
      response = await bulk(edge, req, headers);
    } catch (error) {
      response = failed(edge, error, undefined, requestId, headers);
    }
    const seconds = (performance.now() - started) / 1000;
    edge.http.observe(ROUTE.ofrep_bulk, response.status, seconds);
    if (edge.log.debugEnabled) logRequest(edge.log, req, requestId, response.status, seconds);
    return response;
  };
}

function failed(
  edge: Edge,
  error: unknown,
  key: string | undefined,
  requestId: string,
  headers: Record<string, string>,
): Response {
  const problem = asProblem(error);
  if (problem.status === 500) edge.log.error("OFREP evaluation failed", { request_id: requestId, error });
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

async function single(edge: Edge, req: Request, key: string, headers: Record<string, string>): Promise<Response> {
  const { context, scope, now } = await prepare(edge, req, headers);
  try {
    const result = evaluateFlag(edge, scope, key, context, now);
    if (result.errorCode === "FLAG_NOT_FOUND") {
      return ofrepProblem(new HttpProblem(404, "FLAG_NOT_FOUND", `flag ${key} not found`), key, scope.headers);
    }
    const body = encodeOfrep(key, result, scope.tenant.version);
    return new Response(body, { headers: scope.headers });
  } catch (error) {
    return ofrepProblem(asProblem(error), key, scope.headers);
  }
}

async function bulk(edge: Edge, req: Request, headers: Record<string, string>): Promise<Response> {
  const { context, scope, now } = await prepare(edge, req, headers);
  const version = scope.tenant.version;
  const etag = bulkEtag(version, scope, context);
  const ifNoneMatch = req.headers.get("if-none-match");
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, etag)) {
    return new Response(null, { status: 304, headers: { ...scope.headers, etag } });
  }
  const parts: string[] = [];
  for (const key of sortedKeys(scope.tenant.store)) {
    parts.push(encodeOfrep(key, evaluateFlag(edge, scope, key, context, now), version));
  }
  const body = `{"flags":[${parts.join(",")}],"metadata":{"version":${version}}}`;
  return new Response(body, { headers: { ...scope.headers, etag } });
}

/** Parses `{context}` and resolves credentials and environment (the context's `environment_id`). */
async function prepare(
  edge: Edge,
  req: Request,
  headers: Record<string, string>,
): Promise<{ context: EvaluationContext; scope: Scope; now: number }> {
  const body = await readJson(req, edge.config.maxBodyBytes);
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
  const resolved = resolveScope(edge, req, headerSecret(req), undefined, environment, now, headers);
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
