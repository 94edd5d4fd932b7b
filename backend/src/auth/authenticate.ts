/** Bearer token → `Actor`, loaded from the database on every request (user enabled, session live, roles now). */
import type { Actor } from "../actor";
import { ROLE_NAMES_BY_ID } from "../actor";
import type { AppDeps } from "../deps";
import { AppError } from "../errors";
import { roleIdsByTeam } from "../members/repository";
import { liveSessionUser } from "./repository";
import { verifyToken } from "./tokens";

export type AuthResult = { actor: Actor; failure?: undefined } | { actor: null; failure?: AppError };

const BEARER = /^Bearer ([A-Za-z0-9_\-.]+)$/;

/** From an `Authorization` header value (HTTP, SSE) or `connectionParams.authorization` (WebSocket). */
export async function authenticate(deps: AppDeps, authorization: string | null | undefined): Promise<AuthResult> {
  if (!authorization) return { actor: null };
  const match = BEARER.exec(authorization.trim());
  if (!match) {
    return { actor: null, failure: new AppError("UNAUTHENTICATED", "the authorization must be 'Bearer <token>'") };
  }
  const actor = await actorFromToken(deps, match[1]);
  return actor
    ? { actor }
    : { actor: null, failure: new AppError("UNAUTHENTICATED", "the token is invalid, expired or revoked") };
}

/** The actor a token stands for, or undefined when the token or its user is not valid now. */
export async function actorFromToken(deps: AppDeps, token: string): Promise<Actor | undefined> {
  const now = new Date();
  const claims = await verifyToken(deps.keys, deps.tokens, token, now);
  if (!claims) return undefined;
  const session = await liveSessionUser(deps.db, claims.jti, claims.userId, now);
  if (!session?.user.enabled) return undefined;
  const roleIds = await roleIdsByTeam(deps.db, session.user.id);
  const memberships = new Map([...roleIds].map(([teamId, roleId]) => [teamId, ROLE_NAMES_BY_ID[roleId] ?? "Viewer"]));
  return {
    userId: session.user.id,
    username: session.user.username,
    isAdmin: session.user.isAdmin,
    isTemporaryPassword: session.user.isTemporaryPassword,
    memberships,
    token: { jti: claims.jti, expiresAt: session.expiresAt },
  };
}
