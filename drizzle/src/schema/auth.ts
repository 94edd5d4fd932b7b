/** JWT signing key ring and issued tokens (revocation list), reference §1.7 and the security model. */
import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./organisation";

/**
 * HMAC keys shared by all replicas. One is active (signs); retired keys still verify the tokens they
 * signed until `verifyUntil`, so rotation never logs anyone out.
 */
export const jwtSigningKeys = pgTable(
  "jwt_signing_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** base64 of 32 random bytes. */
    secret: text("secret").notNull(),
    isActive: boolean("is_active").notNull().default(true),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    /** After this instant the key verifies nothing. */
    verifyUntil: timestamp("verify_until", { withTimezone: true }),
  },
  (t) => [uniqueIndex("jwt_signing_keys_one_active").on(t.isActive).where(sql`${t.isActive}`)],
);

/** Every issued token by `jti`, so logout and revocation work across replicas. */
export const jwtTokens = pgTable(
  "jwt_tokens",
  {
    jti: uuid("jti").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    keyId: uuid("key_id").references(() => jwtSigningKeys.id, { onDelete: "set null" }),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("jwt_tokens_user_idx").on(t.userId), index("jwt_tokens_expires_idx").on(t.expiresAt)],
);
