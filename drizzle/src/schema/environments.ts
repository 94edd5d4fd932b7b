/** Environments and pipeline templates (reference §1.2, §7). */
import { type AnyPgColumn, boolean, integer, pgTable, timestamp, unique, uuid, varchar } from "drizzle-orm/pg-core";
import { teams } from "./organisation";

export const environments = pgTable(
  "environments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    active: boolean("active").notNull().default(true),
    /** Deployments here need an Approver; elsewhere a Requester may deploy directly. */
    requiresApproval: boolean("requires_approval").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("environments_team_name_uq").on(t.teamId, t.name)],
);

export const pipelines = pgTable(
  "pipelines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("pipelines_team_name_uq").on(t.teamId, t.name)],
);

export const pipelineStages = pgTable(
  "pipeline_stages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    parentStageId: uuid("parent_stage_id").references((): AnyPgColumn => pipelineStages.id, { onDelete: "cascade" }),
    orderIndex: integer("order_index").notNull(),
    /** Opaque UI layout string. */
    position: varchar("position", { length: 100 }).notNull().default(""),
  },
  (t) => [
    unique("pipeline_stages_env_uq").on(t.pipelineId, t.environmentId),
    unique("pipeline_stages_order_uq").on(t.pipelineId, t.orderIndex),
  ],
);
