/** Edge clients (API credentials) and their allowed web origins (reference §1.5). */
import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, text, timestamp, unique, uuid, varchar } from "drizzle-orm/pg-core";
import { environments } from "./environments";
import { teams } from "./organisation";

export const clients = pgTable(
  "clients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    description: text("description"),
    enabled: boolean("enabled").notNull().default(true),
    clientType: varchar("client_type", { length: 10 }).notNull(),
    // Refused while bound: unbinding by deletion would silently widen what the client may read. "no action",
    // made DEFERRABLE INITIALLY DEFERRED by migration 0003, so a team delete cascading to both rows still works.
    environmentId: uuid("environment_id").references(() => environments.id, { onDelete: "no action" }),
    /** SHA-256 hex of the secret; the secret itself is shown once and never stored. */
    secretHash: varchar("secret_hash", { length: 64 }).notNull().unique(),
    /** First characters of the secret (e.g. `fgs_ab12`), to recognise it in the console. */
    secretPrefix: varchar("secret_prefix", { length: 16 }).notNull(),
    secretRotatedAt: timestamp("secret_rotated_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    unique("clients_team_name_uq").on(t.teamId, t.name),
    check("clients_type", sql`${t.clientType} IN ('Web','Backend')`),
    index("clients_team_idx").on(t.teamId),
  ],
);

export const clientWebOrigins = pgTable(
  "client_web_origins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id, { onDelete: "cascade" }),
    origin: text("origin").notNull(),
  },
  (t) => [unique("client_web_origins_uq").on(t.clientId, t.origin)],
);
