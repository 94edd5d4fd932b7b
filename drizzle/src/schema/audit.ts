/** Activity / audit log (reference §1.6, §8.4): who changed what, with before and after. */
import { index, jsonb, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { teams, users } from "./organisation";

export const activityLog = pgTable(
  "activity_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null for global entries (users, roles, signing keys). */
    teamId: uuid("team_id").references(() => teams.id, { onDelete: "cascade" }),
    activityType: varchar("activity_type", { length: 50 }).notNull(),
    entityType: varchar("entity_type", { length: 50 }).notNull(),
    entityId: varchar("entity_id", { length: 100 }).notNull(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorName: varchar("actor_name", { length: 100 }),
    description: text("description").notNull(),
    metadata: jsonb("metadata"),
    before: jsonb("before"),
    after: jsonb("after"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("activity_log_team_time_idx").on(t.teamId, t.createdAt),
    index("activity_log_entity_idx").on(t.entityType, t.entityId, t.createdAt),
    index("activity_log_created_idx").on(t.createdAt),
    // a user delete sets actor_id to null here
    index("activity_log_actor_idx").on(t.actorId),
  ],
);
