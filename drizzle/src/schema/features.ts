/** Features, their variants, per-environment stages and dependencies (reference §1.3). */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { environments } from "./environments";
import { teams, users } from "./organisation";

export const STAGE_STATUSES = [
  "NOT_DEPLOYED",
  "DEPLOYMENT_REQUESTED",
  "DEPLOYMENT_REJECTED",
  "DEPLOYED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_REJECTED",
  "ROLLBACKED",
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(","));

export const features = pgTable(
  "features",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 100 }).notNull(),
    /** Bucketing salt: the key at creation, kept on rename so users never re-bucket (bucketing.md). */
    salt: varchar("salt", { length: 200 }).notNull(),
    description: text("description"),
    featureType: varchar("feature_type", { length: 20 }).notNull().default("Simple"),
    valueType: varchar("value_type", { length: 10 }).notNull().default("boolean"),
    defaultVariant: varchar("default_variant", { length: 100 }),
    offVariant: varchar("off_variant", { length: 100 }),
    owner: varchar("owner", { length: 200 }),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** Edge keeps "once on, always on" per user (the original's stickiness). */
    sticky: boolean("sticky").notNull().default(true),
    /** Kill switch engaged (the original's inverted `kill_switch_enabled=false`). */
    killed: boolean("killed").notNull().default(false),
    killedAt: timestamp("killed_at", { withTimezone: true }),
    /** Scheduled kill: evaluators answer off from this instant (reference §9.1). */
    killScheduledAt: timestamp("kill_scheduled_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    unique("features_team_key_uq").on(t.teamId, t.key),
    check("features_type", sql`${t.featureType} IN ('Simple','Contextual')`),
    check("features_value_type", sql`${t.valueType} IN ('boolean','string','number','json')`),
    index("features_kill_scheduled_idx").on(t.killScheduledAt).where(sql`${t.killScheduledAt} IS NOT NULL`),
  ],
);

export const featureVariants = pgTable(
  "feature_variants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    featureId: uuid("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 100 }).notNull(),
    value: jsonb("value").notNull(),
    /** Default weight of the variant in a split (integer, bucketing.md). */
    weight: integer("weight").notNull().default(0),
    description: text("description"),
    orderIndex: integer("order_index").notNull().default(0),
  },
  (t) => [
    unique("feature_variants_key_uq").on(t.featureId, t.key),
    check("feature_variants_weight", sql`${t.weight} >= 0`),
  ],
);

/** One environment of one feature, with the deployment status machine (reference §6.6). */
export const featureStages = pgTable(
  "feature_stages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    featureId: uuid("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    parentStageId: uuid("parent_stage_id").references((): AnyPgColumn => featureStages.id, { onDelete: "set null" }),
    orderIndex: integer("order_index").notNull(),
    position: varchar("position", { length: 100 }).notNull().default(""),
    bucketingKey: varchar("bucketing_key", { length: 100 }),
    status: varchar("status", { length: 30 }).notNull().default("NOT_DEPLOYED"),
    /** The bit evaluators read: true on DEPLOYED, false on ROLLBACKED, unchanged otherwise. */
    enabled: boolean("enabled").notNull().default(false),
    requestedUser: uuid("requested_user").references(() => users.id, { onDelete: "set null" }),
    requestedTime: timestamp("requested_time", { withTimezone: true }),
    approvedUser: uuid("approved_user").references(() => users.id, { onDelete: "set null" }),
    approvedTime: timestamp("approved_time", { withTimezone: true }),
  },
  (t) => [
    unique("feature_stages_env_uq").on(t.featureId, t.environmentId),
    unique("feature_stages_order_uq").on(t.featureId, t.orderIndex),
    check("feature_stages_status", sql`${t.status} IN (${inList(STAGE_STATUSES)})`),
    index("feature_stages_environment_idx").on(t.environmentId),
    // self-FK: without it every stage delete (a team delete cascades thousands) scans the table
    index("feature_stages_parent_idx").on(t.parentStageId),
  ],
);

export const featureDependencies = pgTable(
  "feature_dependencies",
  {
    featureId: uuid("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    // Deleting a flag others depend on is refused, not a silent change of their behaviour. "no action", made
    // DEFERRABLE INITIALLY DEFERRED by migration 0003: RESTRICT fired mid-cascade and broke team deletes.
    dependsOnId: uuid("depends_on_id")
      .notNull()
      .references(() => features.id, { onDelete: "no action" }),
    /** Null: the dependency must be on; else it must serve this variant. */
    variant: varchar("variant", { length: 100 }),
  },
  (t) => [
    primaryKey({ columns: [t.featureId, t.dependsOnId] }),
    check("feature_dependencies_not_self", sql`${t.featureId} <> ${t.dependsOnId}`),
    index("feature_dependencies_depends_on_idx").on(t.dependsOnId),
  ],
);
