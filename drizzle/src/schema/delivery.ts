/** The change feed: a global version sequence and the change log edges catch up from. */
import { sql } from "drizzle-orm";
import { bigint, check, index, pgSequence, pgTable, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

/** Every configuration change takes the next value in its transaction. */
export const configVersion = pgSequence("config_version", { startWith: 1, increment: 1 });

export const configChanges = pgTable(
  "config_changes",
  {
    version: bigint("version", { mode: "number" }).primaryKey(),
    /** No FK: the DELETE of a team's last flag must stay readable after the team is gone. */
    teamId: uuid("team_id").notNull(),
    kind: varchar("kind", { length: 10 }).notNull(),
    /** feature | client | environment | context | team */
    entity: varchar("entity", { length: 20 }).notNull(),
    entityId: uuid("entity_id").notNull(),
    /** Feature key (or entity name) at the time of the change. */
    key: varchar("key", { length: 200 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("config_changes_kind", sql`${t.kind} IN ('UPSERT','DELETE')`),
    index("config_changes_team_version_idx").on(t.teamId, t.version),
  ],
);
