/** Session tokens: HS256 JWTs (jose) with `kid`, `sub`, `jti`, `iss`, `aud`, `iat`, `exp`; each one stored by `jti`. */
import type { Executor } from "@fluxgate/drizzle";
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { KeyRing } from "./key-ring";
import { insertSession } from "./repository";

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** Signs a token for `userId` and stores its session row (in the caller's transaction). */
export async function issueToken(
  ex: Executor,
  keys: KeyRing,
  settings: TokenSettings,
  userId: string,
): Promise<IssuedToken> {
  const key = await keys.signingKey(ex);
  const jti = crypto.randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: key.id })
    .setSubject(userId)
    .setJti(jti)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.secret);
  const expiresAt = new Date(exp * 1000);
  await insertSession(ex, { jti, userId, keyId: key.id, issuedAt: new Date(iat * 1000), expiresAt });
  return { token, jti, expiresAt };
}

/** The verified `sub` and `jti`, or undefined for anything invalid (bad shape, signature, issuer, audience, expiry). */
export async function verifyToken(
  keys: KeyRing,
  settings: TokenSettings,
  token: string,
  now = new Date(),
): Promise<{ userId: string; jti: string } | undefined> {
  try {
    const { kid, alg } = decodeProtectedHeader(token);
    if (alg !== "HS256" || typeof kid !== "string") return undefined;
    const secret = await keys.verificationKey(kid, now);
    if (!secret) return undefined;
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: now,
      requiredClaims: ["sub", "jti", "exp", "iat"],
    });
    return { userId: payload.sub as string, jti: payload.jti as string };
  } catch {
    return undefined;
  }
}
