/** Sticky assignments and evaluation analytics (reference §1.6, §8). */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
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

/**
 * Raw exposure events, kept for a bounded time. History survives client deletion (no client FK). No team FK either:
 * its check ran once per inserted row (a third of a 5,000-event batch's time); the batch's row in
 * `evaluation_batches` checks the team once, and a team delete removes its events by trigger (migration 0005).
 * Only ingest writes here and only retention (team, time) reads: no other index.
 */
export const evaluationEvents = pgTable(
  "evaluation_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    teamId: uuid("team_id").notNull(),
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
  (t) => [index("evaluation_events_team_time_idx").on(t.teamId, t.evaluatedAt)],
);

/**
 * Per-minute counters, written at ingest in the batch's transaction (dashboards read the cube). The primary key leads
 * with (team, bucket), which is all retention needs; migration 0005 leaves free room in each page (fillfactor) so
 * ingest's increments are HOT updates.
 */
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
  ],
);

/** Raw bytes (HyperLogLog sketches, backend/src/analytics/hll.ts). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  // postgres.js hands back a Buffer, PGlite a Uint8Array: one type either way
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

/**
 * What each stored batch adds, per (minute, flag, environment): counts and a sketch of its users. Written by ingest in
 * the batch's statement (an insert here notifies `fluxgate_evaluations` with the team id, once per statement: see
 * the migration's trigger); the analytics compaction job folds rows into `evaluation_cube` and deletes them.
 */
export const evaluationDeltas = pgTable(
  "evaluation_deltas",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // no FK (a check per row at ingest): a team delete removes its deltas by trigger, as for evaluation_events
    teamId: uuid("team_id").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    featureKey: varchar("feature_key", { length: 100 }).notNull(),
    environmentId: varchar("environment_id", { length: 100 }).notNull(),
    clientId: uuid("client_id").notNull(),
    evaluationCount: bigint("evaluation_count", { mode: "number" }).notNull(),
    successCount: bigint("success_count", { mode: "number" }).notNull(),
    cachedCount: bigint("cached_count", { mode: "number" }).notNull(),
    lastEvaluatedAt: timestamp("last_evaluated_at", { withTimezone: true }).notNull(),
    users: bytea("users"),
  },
  (t) => [index("evaluation_deltas_team_bucket_idx").on(t.teamId, t.bucket)],
);

/**
 * Evaluation counts per minute, hour and day (`grain` in minutes), pre-aggregated for every combination of flag,
 * environment and client: '' in a dimension means "all of them". Dashboards read only this, the user sketches
 * below and the few `evaluation_deltas` not folded in yet. Written only by the compaction job.
 */
export const evaluationCube = pgTable(
  "evaluation_cube",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    grain: smallint("grain").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    featureKey: varchar("feature_key", { length: 100 }).notNull(),
    environmentId: varchar("environment_id", { length: 100 }).notNull(),
    clientId: varchar("client_id", { length: 36 }).notNull(),
    evaluationCount: bigint("evaluation_count", { mode: "number" }).notNull().default(0),
    successCount: bigint("success_count", { mode: "number" }).notNull().default(0),
    cachedCount: bigint("cached_count", { mode: "number" }).notNull().default(0),
    lastEvaluatedAt: timestamp("last_evaluated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // filters on every dimension of the row: one range scan per (grain, bucket range)
    primaryKey({
      name: "evaluation_cube_pk",
      columns: [t.teamId, t.featureKey, t.environmentId, t.clientId, t.grain, t.bucket],
    }),
    // per-flag breakdowns (flag varies, environment and client fixed); migration 0004 adds
    // INCLUDE (feature_key, the counts, last_evaluated_at) for index-only scans (drizzle-kit does not model it)
    index("evaluation_cube_scope_idx").on(t.teamId, t.environmentId, t.clientId, t.grain, t.bucket),
    // retention: rows are written roughly in time order, a BRIN index costs next to nothing to keep
    index("evaluation_cube_bucket_idx").using("brin", t.bucket),
    check("evaluation_cube_grain", sql`${t.grain} IN (1, 60, 1440)`),
  ],
);

/**
 * HyperLogLog sketches of the users behind `evaluation_cube`'s rows, same key. Minute sketches are kept current;
 * an hour's (a day's) are built once it is over — `analytics_watermarks` says up to where — so the job does not
 * rewrite a 4 KB "whole team, today" sketch for every batch.
 */
export const evaluationUserSketches = pgTable(
  "evaluation_user_sketches",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    grain: smallint("grain").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    featureKey: varchar("feature_key", { length: 100 }).notNull(),
    environmentId: varchar("environment_id", { length: 100 }).notNull(),
    clientId: varchar("client_id", { length: 36 }).notNull(),
    users: bytea("users").notNull(),
  },
  (t) => [
    // also serves per-flag reads: feature_key = any(page of flags) is an index condition
    primaryKey({
      name: "evaluation_user_sketches_pk",
      columns: [t.teamId, t.featureKey, t.environmentId, t.clientId, t.grain, t.bucket],
    }),
    // sealing an hour (all teams) and retention
    index("evaluation_user_sketches_bucket_idx").using("brin", t.bucket),
    check("evaluation_user_sketches_grain", sql`${t.grain} IN (1, 60, 1440)`),
  ],
);

/** Per grain (60, 1440): user sketches of that grain exist for every bucket before `sealed_until`. */
export const analyticsWatermarks = pgTable("analytics_watermarks", {
  grain: smallint("grain").primaryKey(),
  sealedUntil: timestamp("sealed_until", { withTimezone: true }).notNull(),
});
