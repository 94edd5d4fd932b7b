/**
 * Super-admin management of the JWT key ring. Rotation retires the active key with `verify_until = now + token
 * TTL`, so tokens already issued keep working until they expire. `deactivateAllJwtSecrets` does NOT leave the ring
 * empty (the original's lock-out, reference §12-10): it revokes every session and rotates; everyone can log in again.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import type { AppDeps } from "../deps";
import { requireAdmin } from "../policy";
import * as repo from "./repository";

export interface SigningKeyView {
  id: string;
  isActive: boolean;
  createdAt: Date;
  createdBy: string | null;
  retiredAt: Date | null;
  verifyUntil: Date | null;
  /** Fingerprint, never the secret: `sha256:` + the first 12 hex digits of the secret's hash. */
  secretPreview: string;
}

const view = (key: repo.SigningKeyRow): SigningKeyView => ({
  id: key.id,
  isActive: key.isActive,
  createdAt: key.createdAt,
  createdBy: key.createdBy,
  retiredAt: key.retiredAt,
  verifyUntil: key.verifyUntil,
  secretPreview: `sha256:${createHash("sha256").update(key.secret).digest("hex").slice(0, 12)}`,
});

export async function jwtSecretStatus(deps: AppDeps, actor: Actor): Promise<SigningKeyView[]> {
  requireAdmin(actor, "admin:signing-keys");
  return (await repo.listSigningKeys(deps.db)).map(view);
}

export async function generateJwtSecret(deps: AppDeps, actor: Actor): Promise<SigningKeyView> {
  requireAdmin(actor, "admin:signing-keys");
  return deps.db.transaction(async (tx) => {
    const key = await deps.keys.rotate(tx, actor.userId, new Date(), deps.tokens.ttlSeconds);
    await recordActivity(tx, {
      teamId: null,
      activityType: "jwt_key_rotated",
      entityType: "signing_key",
      entityId: key.id,
      actor,
      description: "Rotated the JWT signing key; existing sessions stay valid until they expire",
      metadata: { graceSeconds: deps.tokens.ttlSeconds },
    });
    return view(key);
  });
}

export async function deactivateAllJwtSecrets(deps: AppDeps, actor: Actor): Promise<boolean> {
  requireAdmin(actor, "admin:signing-keys");
  await deps.db.transaction(async (tx) => {
    const now = new Date();
    const sessions = await repo.revokeAllSessions(tx, now);
    const key = await deps.keys.rotate(tx, actor.userId, now, 0);
    await repo.expireRetiredKeys(tx, now);
    await recordActivity(tx, {
      teamId: null,
      activityType: "sessions_revoked",
      entityType: "signing_key",
      entityId: key.id,
      actor,
      description: "Revoked every session and rotated the JWT signing key",
      metadata: { sessionsRevoked: sessions },
    });
  });
  return true;
}
