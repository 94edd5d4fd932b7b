/** Sticky assignments and evaluation analytics (reference §1.6, §8). */
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { environments } from "./environments";
import { features } from "./features";
import { teams } from "./organisation";

/** "This user got the flag on here": kept by edges (reference §4.4); FKs so rows never outlive the flag. */
export const userFlagAssignments = pgTable(
  "user_flag_assignments",
  {
    userId: varchar("user_id", { length: 255 }).notNull(),
    featureId: uuid("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    assigned: boolean("assigned").notNull(),
    variant: varchar("variant", { length: 100 }),
    assignedAt: timestamp("assigned_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.featureId, t.environmentId] }),
    index("user_flag_assignments_feature_idx").on(t.featureId, t.environmentId),
    // an environment delete cascades here; this table is the largest one
    index("user_flag_assignments_environment_idx").on(t.environmentId),
  ],
);

/** Batches already stored, so a batch retried after a lost reply is counted once. */
export const evaluationBatches = pgTable("evaluation_batches", {
  batchId: uuid("batch_id").primaryKey(),
  clientId: uuid("client_id").notNull(),
  teamId: uuid("team_id")
    .notNull()
    .references(() => teams.id, { onDelete: "cascade" }),
  eventCount: integer("event_count").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Raw exposure events, kept for a bounded time. History survives client deletion (no client FK). */
export const evaluationEvents = pgTable(
  "evaluation_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    batchId: uuid("batch_id"),
    clientId: uuid("client_id").notNull(),
    featureKey: varchar("feature_key", { length: 100 }).notNull(),
    environmentId: varchar("environment_id", { length: 100 }).notNull(),
    evaluatedAt: timestamp("evaluated_at", { withTimezone: true }).notNull(),
    result: boolean("result").notNull(),
    variant: varchar("variant", { length: 100 }),
    evaluationContext: jsonb("evaluation_context"),
    userContext: varchar("user_context", { length: 255 }),
    priorAssignment: boolean("prior_assignment").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("evaluation_events_team_time_idx").on(t.teamId, t.evaluatedAt),
    index("evaluation_events_feature_idx").on(t.teamId, t.featureKey, t.evaluatedAt),
  ],
);

/** Per-minute counters, written at ingest in the batch's transaction; dashboards read these. */
export const evaluationRollups = pgTable(
  "evaluation_rollups",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    featureKey: varchar("feature_key", { length: 100 }).notNull(),
    environmentId: varchar("environment_id", { length: 100 }).notNull(),
    clientId: uuid("client_id").notNull(),
    variant: varchar("variant", { length: 100 }).notNull().default(""),
    result: boolean("result").notNull(),
    evaluationCount: bigint("evaluation_count", { mode: "number" }).notNull().default(0),
    cachedCount: bigint("cached_count", { mode: "number" }).notNull().default(0),
    uniqueUsers: integer("unique_users").notNull().default(0),
  },
  (t) => [
    primaryKey({
      name: "evaluation_rollups_pk",
      columns: [t.teamId, t.bucket, t.featureKey, t.environmentId, t.clientId, t.variant, t.result],
    }),
    index("evaluation_rollups_team_bucket_idx").on(t.teamId, t.bucket),
  ],
);
