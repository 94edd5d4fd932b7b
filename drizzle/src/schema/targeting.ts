/** Contexts (named value lists) and the targeting rules of feature stages. */
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { featureStages } from "./features";
import { teams } from "./organisation";

export const contexts = pgTable(
  "contexts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 100 }).notNull(),
    description: text("description").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("contexts_team_key_uq").on(t.teamId, t.key)],
);

export const contextValues = pgTable(
  "context_values",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    contextId: uuid("context_id")
      .notNull()
      .references(() => contexts.id, { onDelete: "cascade" }),
    value: text("value").notNull(),
  },
  (t) => [
    unique("context_values_uq").on(t.contextId, t.value),
    check("context_values_not_empty", sql`${t.value} <> ''`),
  ],
);

/**
 * One targeting rule of a stage (engine `Rule`). Condition groups and the split live as JSON shaped
 * like the engine model and are validated by the engine before they are stored; contexts a condition
 * takes its values from are also listed in `stage_rule_contexts` so they cannot be deleted under it.
 */
export const stageRules = pgTable(
  "stage_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    stageId: uuid("stage_id")
      .notNull()
      .references(() => featureStages.id, { onDelete: "cascade" }),
    priority: integer("priority").notNull(),
    groupsOperator: varchar("groups_operator", { length: 3 }).notNull().default("AND"),
    /** `ConditionGroup[]`; a condition may carry `contextId` instead of literal values. */
    groups: jsonb("groups").notNull().default(sql`'[]'::jsonb`),
    rollout: numeric("rollout", { precision: 6, scale: 3 }).notNull().default("100"),
    /** `Serve` of the engine model. */
    serve: jsonb("serve").notNull().default(sql`'{"kind":"on"}'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("stage_rules_priority_uq").on(t.stageId, t.priority),
    check("stage_rules_rollout_range", sql`${t.rollout} >= 0 AND ${t.rollout} <= 100`),
    check("stage_rules_groups_operator", sql`${t.groupsOperator} IN ('AND','OR')`),
  ],
);

export const stageRuleContexts = pgTable(
  "stage_rule_contexts",
  {
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => stageRules.id, { onDelete: "cascade" }),
    // A context in use cannot disappear from under a rule (the original deleted criteria silently). "no action",
    // made DEFERRABLE INITIALLY DEFERRED by migration 0003, so a team delete cascading to both rows still works.
    contextId: uuid("context_id")
      .notNull()
      .references(() => contexts.id, { onDelete: "no action" }),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.contextId] }), index("stage_rule_contexts_context_idx").on(t.contextId)],
);
