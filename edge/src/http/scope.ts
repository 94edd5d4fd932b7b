/**
 * Who is asking and about which environment: credentials (body, `Authorization: Bearer`, `X-API-Key`, else the
 * edge's own client), the web origin check, the team's store, and the environment (ofrep.md, Credentials and
 * environment). Known clients resolve synchronously; a new secret waits for its stream (bounded).
 */
import type { EdgeClient } from "../auth/clients.ts";
import type { Edge } from "../edge.ts";
import type { Tenant } from "../store/index.ts";
import { corsHeaders } from "./cors.ts";
import { HttpProblem } from "./respond.ts";

export interface Scope {
  client: EdgeClient;
  tenant: Tenant;
  environmentId: string;
  /** Answer headers beyond Content-Type: the request's id when it has one, CORS for web clients; often none. */
  headers: Record<string, string> | undefined;
}

/** The secret from `Authorization: Bearer` or `X-API-Key`; undefined when neither is sent. */
export function headerSecret(req: Request): string | undefined {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    if (authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === "bearer ") {
      const secret = authorization.slice(7).trim();
      if (secret !== "") return secret;
    }
    throw new HttpProblem(401, "UNAUTHENTICATED", 'Authorization must be "Bearer <client secret>"');
  }
  const apiKey = req.headers.get("x-api-key");
  return apiKey === null || apiKey.trim() === "" ? undefined : apiKey.trim();
}

/**
 * Resolves the scope of a request. `secret` undefined = the edge's own client (a `clientId` naming another client
 * then needs its secret). `environment` is what the request names (id or name), null/"" = none. `requestId` is the
 * request's id if it has one (evaluation requests usually have none: request-id.ts).
 */
export function resolveScope(
  edge: Edge,
  req: Request,
  secret: string | undefined,
  clientId: string | undefined,
  environment: string | null | undefined,
  now: number,
  requestId: string | undefined,
): Scope | Promise<Scope> {
  if (secret === undefined) {
    const own = edge.ownClient;
    if (clientId !== undefined && clientId !== own.info.id) {
      throw new HttpProblem(401, "UNAUTHENTICATED", "client_secret is required with client_id");
    }
    return finish(edge, req, own, environment, now, requestId);
  }
  const found = edge.links.clientFor(secret, clientId);
  if (found instanceof Promise) {
    return found.then((client) => {
      if ("status" in client)
        throw new HttpProblem(client.status, client.code, client.message, retryAfter(client.status));
      return finish(edge, req, client, environment, Date.now(), requestId);
    });
  }
  if ("status" in found) throw new HttpProblem(found.status, found.code, found.message, retryAfter(found.status));
  return finish(edge, req, found, environment, now, requestId);
}

function retryAfter(status: number): number | undefined {
  return status === 503 || status === 429 ? 1 : undefined;
}

function finish(
  edge: Edge,
  req: Request,
  client: EdgeClient,
  environment: string | null | undefined,
  now: number,
  requestId: string | undefined,
): Scope {
  client.lastUsedMs = now;
  const info = client.info;
  if (!info.enabled) throw new HttpProblem(403, "CLIENT_DISABLED", "this client is disabled");
  let headers: Record<string, string> | undefined = requestId === undefined ? undefined : { "x-request-id": requestId };
  if (info.clientType === "Web") {
    const origin = req.headers.get("origin");
    if (origin === null || !client.origins.has(origin)) {
      const what = origin === null ? "a web client needs an Origin header" : `origin ${origin} is not allowed`;
      throw new HttpProblem(403, "ORIGIN_NOT_ALLOWED", `${what} for this client`);
    }
    headers = corsHeaders(origin, requestId);
  }
  const tenant = edge.tenants.get(info.teamId);
  if (tenant === undefined) {
    throw new HttpProblem(503, "UNAVAILABLE", "this client's flags are not loaded yet", 1);
  }
  return { client, tenant, environmentId: environmentOf(edge, tenant, client, environment), headers };
}

function environmentOf(edge: Edge, tenant: Tenant, client: EdgeClient, environment: string | null | undefined): string {
  const bound = client.info.environmentId;
  if (bound !== null) {
    if (environment && tenant.store.environmentId(environment) !== bound) {
      throw new HttpProblem(403, "ENVIRONMENT_FORBIDDEN", `this client is bound to environment ${bound}`);
    }
    return bound;
  }
  const wanted = environment || edge.config.defaultEnvironment;
  if (!wanted) {
    throw new HttpProblem(
      400,
      "INVALID_CONTEXT",
      "no environment: send environment_id (id or name), or set EDGE_ENVIRONMENT on the edge",
    );
  }
  const id = tenant.store.environmentId(wanted);
  if (id === undefined) throw new HttpProblem(400, "ENVIRONMENT_NOT_FOUND", `unknown environment "${wanted}"`);
  return id;
}
