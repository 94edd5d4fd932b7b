import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import {
  constraintName,
  isCheckViolation,
  isForeignKeyViolation,
  isUniqueViolation,
  recordConfigChange,
  sqlState,
} from "../src/index.ts";
import * as s from "../src/schema/index.ts";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../src/testing.ts";
import { type Fixture, insertFixture } from "./helpers.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

/** The error a query fails with (the test fails if it succeeds). */
async function failure(query: PromiseLike<unknown>): Promise<unknown> {
  try {
    await query;
  } catch (err) {
    return err;
  }
  throw new Error("expected the query to fail");
}

describe("sqlState", () => {
  test.each([
    ["drizzle's wrapper (err.cause.code)", { message: "Failed query", cause: { code: "23505" } }, "23505"],
    ["a bare driver error (err.code)", { code: "23503" }, "23503"],
    ["a nested cause", { cause: { cause: { code: "40001" } } }, "40001"],
    ["a Node error code, which is no SQLSTATE", { code: "EPIPE" }, undefined],
    ["not an error", "boom", undefined],
  ])("reads %s", (_, err, expected) => {
    expect(sqlState(err)).toBe(expected as string | undefined);
  });
});

describe.each(testDatabaseKinds())("constraints on %s", (kind) => {
  let t: TestDatabase;
  let f: Fixture;
  beforeAll(async () => {
    t = await createTestDatabase({ kind });
    f = await insertFixture(t.db, "main");
  });
  afterAll(() => t?.cleanup());

  test("a feature key is unique per team, and the same key is fine in another team", async () => {
    const err = await failure(t.db.insert(s.features).values({ teamId: f.team, key: "f1", salt: "x" }));
    expect(isUniqueViolation(err)).toBe(true);
    expect(constraintName(err)).toBe("features_team_key_uq");
    const other = await insertFixture(t.db, "other");
    expect(other.feature).not.toBe(f.feature);
  });

  test.each([
    [
      "environment name",
      () => t.db.insert(s.environments).values({ teamId: f.team, name: "development" }),
      "environments_team_name_uq",
    ],
    ["context key", () => t.db.insert(s.contexts).values({ teamId: f.team, key: "c1" }), "contexts_team_key_uq"],
    [
      "pipeline name",
      () => t.db.insert(s.pipelines).values({ teamId: f.team, name: "main" }),
      "pipelines_team_name_uq",
    ],
    [
      "client name",
      () =>
        t.db
          .insert(s.clients)
          .values({ teamId: f.team, name: "edge", clientType: "Web", secretHash: "b", secretPrefix: "p" }),
      "clients_team_name_uq",
    ],
  ])("a duplicate %s in a team is a unique violation", async (_, insert, constraint) => {
    const err = await failure(insert());
    expect(isUniqueViolation(err)).toBe(true);
    expect(constraintName(err)).toBe(constraint);
  });

  test("only one JWT signing key is active at a time", async () => {
    await t.db.insert(s.jwtSigningKeys).values({ secret: "a", isActive: true });
    expect(
      isUniqueViolation(await failure(t.db.insert(s.jwtSigningKeys).values({ secret: "b", isActive: true }))),
    ).toBe(true);
  });

  test("a depended-on feature cannot be deleted", async () => {
    await t.db.insert(s.featureDependencies).values({ featureId: f.feature2, dependsOnId: f.feature });
    const err = await failure(t.db.delete(s.features).where(eq(s.features.id, f.feature)));
    expect(isForeignKeyViolation(err)).toBe(true);
    expect(constraintName(err)).toBe("feature_dependencies_depends_on_id_features_id_fk");
  });

  test("inside a transaction the refusal comes at commit (the key is deferred) with the same SQLSTATE", async () => {
    const err = await failure(
      t.db.transaction(async (tx) => {
        await tx.delete(s.features).where(eq(s.features.id, f.feature));
      }),
    );
    expect(isForeignKeyViolation(err)).toBe(true);
    expect(await t.db.$count(s.features, eq(s.features.id, f.feature))).toBe(1);
  });

  test("a context used by a rule cannot be deleted", async () => {
    await t.db.insert(s.stageRuleContexts).values({ ruleId: f.rule, contextId: f.context });
    expect(isForeignKeyViolation(await failure(t.db.delete(s.contexts).where(eq(s.contexts.id, f.context))))).toBe(
      true,
    );
  });

  test("the environment a client is bound to cannot be deleted", async () => {
    await t.db.update(s.clients).set({ environmentId: f.env }).where(eq(s.clients.id, f.client));
    const err = await failure(t.db.delete(s.environments).where(eq(s.environments.id, f.env)));
    expect(isForeignKeyViolation(err)).toBe(true);
    expect(constraintName(err)).toBe("clients_environment_id_environments_id_fk");
  });

  test("a feature cannot depend on itself", async () => {
    const err = await failure(
      t.db.insert(s.featureDependencies).values({ featureId: f.feature, dependsOnId: f.feature }),
    );
    expect(isCheckViolation(err)).toBe(true);
  });

  test("a stage status outside the workflow's seven is refused", async () => {
    const err = await failure(
      t.db.update(s.featureStages).set({ status: "LIVE" }).where(eq(s.featureStages.id, f.stage)),
    );
    expect(isCheckViolation(err)).toBe(true);
    expect(constraintName(err)).toBe("feature_stages_status");
  });

  test.each(["-0.001", "100.001", "250"])("a rollout of %s %% is refused", async (rollout) => {
    const err = await failure(t.db.update(s.stageRules).set({ rollout }).where(eq(s.stageRules.id, f.rule)));
    expect(isCheckViolation(err)).toBe(true);
    expect(constraintName(err)).toBe("stage_rules_rollout_range");
  });

  test.each(["0", "0.001", "100"])("a rollout of %s %% is accepted", async (rollout) => {
    await t.db.update(s.stageRules).set({ rollout }).where(eq(s.stageRules.id, f.rule));
  });

  test("an empty context value is refused", async () => {
    expect(
      isCheckViolation(await failure(t.db.insert(s.contextValues).values({ contextId: f.context, value: "" }))),
    ).toBe(true);
  });

  test("a missing parent row is a foreign key violation", async () => {
    const err = await failure(t.db.insert(s.environments).values({ teamId: crypto.randomUUID(), name: "x" }));
    expect(isForeignKeyViolation(err)).toBe(true);
  });

  test("config_version only increases, across transactions and after a rollback", async () => {
    const change = { teamId: f.team, entity: "feature" as const, entityId: f.feature, key: "f1" };
    const first = await t.db.transaction((tx) => recordConfigChange(tx, change));
    await failure(
      t.db.transaction(async (tx) => {
        await recordConfigChange(tx, change);
        throw new Error("rolled back");
      }),
    );
    const second = await t.db.transaction((tx) => recordConfigChange(tx, { ...change, kind: "DELETE" }));
    const [{ next }] = await t.handle.execute<{ next: string }>(sql`select nextval('config_version') as next`);
    expect(second).toBeGreaterThan(first);
    expect(Number(next)).toBeGreaterThan(second);
    const rows = await t.db.select().from(s.configChanges).where(eq(s.configChanges.teamId, f.team));
    expect(rows.map((r) => [r.version, r.kind])).toEqual([
      [first, "UPSERT"],
      [second, "DELETE"],
    ]);
  });

  test("deleting a team removes everything it owns, even rows the deferred keys protect", async () => {
    const doomed = await insertFixture(t.db, "doomed");
    await bindEverything(t, doomed);
    const owned = await ownedCounts(t, doomed);
    expect(Object.entries(owned).filter(([, n]) => n === 0)).toEqual([]);

    await t.db.delete(s.teams).where(eq(s.teams.id, doomed.team));
    const after = await ownedCounts(t, doomed);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    // the change log outlives the team so edges still learn of the deletes
    expect(await t.db.$count(s.configChanges, eq(s.configChanges.teamId, doomed.team))).toBe(1);
  });
});

/**
 * Gives the fixture team a row behind every key: a bound client, features depending on each other (so some
 * row order always deletes a referenced feature first), a rule using a context, runtime rows.
 */
async function bindEverything(t: TestDatabase, f: Fixture): Promise<void> {
  const teamId = f.team;
  await t.db.update(s.clients).set({ environmentId: f.env }).where(eq(s.clients.id, f.client));
  await t.db.insert(s.clientWebOrigins).values({ clientId: f.client, origin: "https://x" });
  await t.db.insert(s.featureDependencies).values([
    { featureId: f.feature, dependsOnId: f.feature2 },
    { featureId: f.feature2, dependsOnId: f.feature },
  ]);
  await t.db.insert(s.featureVariants).values({ featureId: f.feature, key: "v", value: 1 });
  await t.db.insert(s.stageRuleContexts).values({ ruleId: f.rule, contextId: f.context });
  await t.db.insert(s.contextValues).values({ contextId: f.context, value: "NZ" });
  await t.db.insert(s.pipelineStages).values({ pipelineId: f.pipeline, environmentId: f.env, orderIndex: 0 });
  await t.db
    .insert(s.userFlagAssignments)
    .values({ userId: "u", featureId: f.feature, environmentId: f.env, assigned: true });
  await t.db
    .insert(s.activityLog)
    .values({ teamId, activityType: "X", entityType: "team", entityId: teamId, description: "d" });
  const event = { teamId, clientId: f.client, featureKey: "f1", environmentId: f.env, result: true };
  await t.db.insert(s.evaluationEvents).values({ ...event, evaluatedAt: new Date() });
  await t.db.insert(s.evaluationRollups).values({ ...event, bucket: new Date() });
  // no team FK on these two (a trigger on teams deletes them)
  await t.db.insert(s.evaluationDeltas).values({
    teamId,
    clientId: f.client,
    featureKey: "f1",
    environmentId: f.env,
    bucket: new Date(),
    evaluationCount: 1,
    successCount: 1,
    cachedCount: 0,
    lastEvaluatedAt: new Date(),
  });
  await t.db
    .insert(s.evaluationBatches)
    .values({ batchId: crypto.randomUUID(), clientId: f.client, teamId, eventCount: 1 });
  await t.db.transaction((tx) => recordConfigChange(tx, { teamId, entity: "team", entityId: teamId, key: "doomed" }));
}

/** Rows per table that belong to the fixture's team, found by the fixture's ids (still known after the delete). */
async function ownedCounts(t: TestDatabase, f: Fixture): Promise<Record<string, number>> {
  const rows = async (table: PgTable, where: SQL | undefined) => t.db.$count(table, where);
  const features = [f.feature, f.feature2];
  return {
    environments: await rows(s.environments, eq(s.environments.teamId, f.team)),
    pipelines: await rows(s.pipelines, eq(s.pipelines.teamId, f.team)),
    features: await rows(s.features, eq(s.features.teamId, f.team)),
    contexts: await rows(s.contexts, eq(s.contexts.teamId, f.team)),
    clients: await rows(s.clients, eq(s.clients.teamId, f.team)),
    activity_log: await rows(s.activityLog, eq(s.activityLog.teamId, f.team)),
    evaluation_events: await rows(s.evaluationEvents, eq(s.evaluationEvents.teamId, f.team)),
    evaluation_rollups: await rows(s.evaluationRollups, eq(s.evaluationRollups.teamId, f.team)),
    evaluation_deltas: await rows(s.evaluationDeltas, eq(s.evaluationDeltas.teamId, f.team)),
    evaluation_batches: await rows(s.evaluationBatches, eq(s.evaluationBatches.teamId, f.team)),
    feature_stages: await rows(s.featureStages, inArray(s.featureStages.featureId, features)),
    feature_variants: await rows(s.featureVariants, inArray(s.featureVariants.featureId, features)),
    feature_dependencies: await rows(s.featureDependencies, inArray(s.featureDependencies.dependsOnId, features)),
    stage_rules: await rows(s.stageRules, eq(s.stageRules.stageId, f.stage)),
    stage_rule_contexts: await rows(s.stageRuleContexts, eq(s.stageRuleContexts.ruleId, f.rule)),
    context_values: await rows(s.contextValues, eq(s.contextValues.contextId, f.context)),
    pipeline_stages: await rows(s.pipelineStages, eq(s.pipelineStages.pipelineId, f.pipeline)),
    client_web_origins: await rows(s.clientWebOrigins, eq(s.clientWebOrigins.clientId, f.client)),
    user_flag_assignments: await rows(s.userFlagAssignments, eq(s.userFlagAssignments.environmentId, f.env)),
  };
}
