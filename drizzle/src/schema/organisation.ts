/** Teams, users, roles and per-team memberships. */
import { boolean, index, pgTable, primaryKey, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
// $onUpdate: drizzle sets it on every update that does not set it, so it cannot go stale
const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const teams = pgTable("teams", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: varchar("name", { length: 100 }).notNull().unique(),
  description: text("description").notNull().default(""),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  username: varchar("username", { length: 100 }).notNull().unique(),
  /** Argon2id PHC string (Bun.password). */
  passwordHash: text("password_hash").notNull(),
  firstName: varchar("first_name", { length: 100 }).notNull(),
  lastName: varchar("last_name", { length: 100 }).notNull(),
  email: varchar("email", { length: 255 }).notNull().unique(),
  /** Global super-admin. */
  isAdmin: boolean("is_admin").notNull().default(false),
  enabled: boolean("enabled").notNull().default(true),
  isTemporaryPassword: boolean("is_temporary_password").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  lastLogin: timestamp("last_login", { withTimezone: true }),
});

/** Fixed role ids keep the original's seeded ids (reference §1.1) and add Viewer. */
export const ROLE_IDS = {
  approver: "00000000-0000-0000-0000-000000000001",
  requester: "00000000-0000-0000-0000-000000000002",
  teamAdmin: "00000000-0000-0000-0000-000000000003",
  viewer: "00000000-0000-0000-0000-000000000004",
} as const;

export const roles = pgTable("roles", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: varchar("name", { length: 50 }).notNull().unique(),
  description: text("description").notNull().default(""),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A user's membership of a team, with the role they hold in that team. */
export const teamMembers = pgTable(
  "team_members",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "restrict" }),
    assignedBy: uuid("assigned_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.teamId] }), index("team_members_team_idx").on(t.teamId)],
);
