/** Edge client secrets: `fgs_` + 40 base62 characters, stored only as SHA-256 hex (architecture, Security model). */
import { createHash, randomBytes } from "node:crypto";

export const CLIENT_SECRET_PREFIX = "fgs_";
const SECRET_LENGTH = 40;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// bytes at or above 248 (= 4 × 62) are dropped so every character is equally likely
const UNBIASED_LIMIT = 248;

/** A new random secret, e.g. `fgs_3kTq…` (44 characters, ~238 bits). */
export function generateClientSecret(): string {
  let body = "";
  while (body.length < SECRET_LENGTH) {
    for (const byte of randomBytes(SECRET_LENGTH)) {
      if (byte < UNBIASED_LIMIT && body.length < SECRET_LENGTH) body += BASE62[byte % 62];
    }
  }
  return CLIENT_SECRET_PREFIX + body;
}

/** The stored form: lowercase hex SHA-256 (a random token needs no slow hash). */
export function hashClientSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A secret with the two columns stored for it (`secret_hash`, `secret_prefix` = its first 8 characters). */
export function newClientSecret(): { secret: string; hash: string; prefix: string } {
  const secret = generateClientSecret();
  return { secret, hash: hashClientSecret(secret), prefix: secret.slice(0, 8) };
}
