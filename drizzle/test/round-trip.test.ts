import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { ROLE_IDS } from "../src/index.ts";
import * as s from "../src/schema/index.ts";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../src/testing.ts";
import { type Fixture, insertFixture, primaryKeyWhere, type Row, schemaTables } from "./helpers.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

const at = (iso: string) => new Date(iso);
const T1 = at("2026-01-02T03:04:05.678Z");
const T2 = at("2026-02-03T04:05:06.789Z");

interface Case {
  table: PgTable;
  row: (f: Fixture) => Row;
  change: (f: Fixture) => Row;
}

/** One case per table: a row to insert (beside the fixture's) and a change to apply. */
const CASES: Record<string, Case> = {
  teams: { table: s.teams, row: () => ({ name: "rt-team", description: "d" }), change: () => ({ description: "e" }) },
  users: {
    table: s.users,
    row: () => ({ username: "rt", passwordHash: "$argon2id$v=19$x", firstName: "R", lastName: "T", email: "rt@x.io" }),
    change: () => ({ enabled: false, isTemporaryPassword: true, lastLogin: T1 }),
  },
  roles: { table: s.roles, row: () => ({ name: "rt-role", description: "d" }), change: () => ({ description: "e" }) },
  team_members: {
    table: s.teamMembers,
    row: (f) => ({ userId: f.user, teamId: f.team, roleId: ROLE_IDS.viewer, assignedBy: f.user }),
    change: () => ({ roleId: ROLE_IDS.approver }),
  },
  environments: {
    table: s.environments,
    row: (f) => ({ teamId: f.team, name: "rt-env", requiresApproval: true }),
    change: () => ({ active: false, requiresApproval: false }),
  },
  pipelines: { table: s.pipelines, row: (f) => ({ teamId: f.team, name: "rt" }), change: () => ({ active: false }) },
  pipeline_stages: {
    table: s.pipelineStages,
    row: (f) => ({ pipelineId: f.pipeline, environmentId: f.env, orderIndex: 0, position: '{"x":80,"y":80}' }),
    change: () => ({ orderIndex: 1, position: "2" }),
  },
  features: {
    table: s.features,
    row: (f) => ({ teamId: f.team, key: "rt", salt: "rt", valueType: "json", tags: ["a", "b"], killScheduledAt: T1 }),
    change: () => ({ killed: true, killedAt: T2, tags: ["c"], owner: "me", sticky: false }),
  },
  feature_variants: {
    table: s.featureVariants,
    row: (f) => ({ featureId: f.feature, key: "v1", value: { a: [1, "x", null] }, weight: 3 }),
    change: () => ({ value: "plain", weight: 0, orderIndex: 2 }),
  },
  feature_stages: {
    table: s.featureStages,
    row: (f) => ({
      featureId: f.feature2,
      environmentId: f.env,
      orderIndex: 0,
      bucketingKey: "userId",
      status: "DEPLOYMENT_REQUESTED",
      requestedUser: f.user,
      requestedTime: T1,
    }),
    change: (f) => ({ status: "DEPLOYED", enabled: true, approvedUser: f.user, approvedTime: T2 }),
  },
  feature_dependencies: {
    table: s.featureDependencies,
    row: (f) => ({ featureId: f.feature2, dependsOnId: f.feature }),
    change: () => ({ variant: "on" }),
  },
  contexts: {
    table: s.contexts,
    row: (f) => ({ teamId: f.team, key: "rt", description: "d" }),
    change: () => ({ description: "e" }),
  },
  context_values: {
    table: s.contextValues,
    row: (f) => ({ contextId: f.context, value: "NZ" }),
    change: () => ({ value: "SE" }),
  },
  stage_rules: {
    table: s.stageRules,
    row: (f) => ({
      stageId: f.stage,
      priority: 5,
      groupsOperator: "OR",
      groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: ["NZ"] }] }],
      rollout: "12.500",
      serve: { kind: "split", weights: [{ variant: "a", weight: 1 }] },
    }),
    change: () => ({ rollout: "99.999", serve: { kind: "variant", variant: "b" } }),
  },
  stage_rule_contexts: {
    table: s.stageRuleContexts,
    row: (f) => ({ ruleId: f.rule, contextId: f.context }),
    change: (f) => ({ contextId: f.context2 }),
  },
  clients: {
    table: s.clients,
    row: (f) => ({
      teamId: f.team,
      name: "rt",
      clientType: "Web",
      environmentId: f.env,
      secretHash: "a".repeat(64),
      secretPrefix: "fgs_abcd",
    }),
    change: () => ({ enabled: false, environmentId: null, secretRotatedAt: T1 }),
  },
  client_web_origins: {
    table: s.clientWebOrigins,
    row: (f) => ({ clientId: f.client, origin: "https://a.example.com" }),
    change: () => ({ origin: "https://b.example.com" }),
  },
  config_changes: {
    table: s.configChanges,
    row: (f) => ({
      version: 9_007_199_254,
      teamId: f.team,
      kind: "UPSERT",
      entity: "feature",
      entityId: f.feature,
      key: "f1",
    }),
    change: () => ({ kind: "DELETE" }),
  },
  activity_log: {
    table: s.activityLog,
    row: (f) => ({
      teamId: f.team,
      activityType: "FEATURE_CREATED",
      entityType: "feature",
      entityId: f.feature,
      actorId: f.user,
      actorName: "R T",
      description: "created f1",
      metadata: { via: "test" },
      after: { key: "f1" },
    }),
    change: () => ({ before: { key: "f0" }, description: "renamed" }),
  },
  jwt_signing_keys: {
    table: s.jwtSigningKeys,
    row: (f) => ({ secret: "c2VjcmV0", isActive: false, createdBy: f.user }),
    change: () => ({ retiredAt: T1, verifyUntil: T2 }),
  },
  jwt_tokens: {
    table: s.jwtTokens,
    row: (f) => ({ jti: randomUUID(), userId: f.user, keyId: f.signingKey, expiresAt: T2 }),
    change: () => ({ revokedAt: T1 }),
  },
  user_flag_assignments: {
    table: s.userFlagAssignments,
    row: (f) => ({ userId: "user-42", featureId: f.feature, environmentId: f.env, assigned: true, variant: "on" }),
    change: () => ({ assigned: false, variant: null }),
  },
  evaluation_batches: {
    table: s.evaluationBatches,
    row: (f) => ({ batchId: randomUUID(), clientId: f.client, teamId: f.team, eventCount: 3 }),
    change: () => ({ eventCount: 4 }),
  },
  evaluation_events: {
    table: s.evaluationEvents,
    row: (f) => ({
      teamId: f.team,
      batchId: randomUUID(),
      clientId: f.client,
      featureKey: "f1",
      environmentId: f.env,
      evaluatedAt: T1,
      result: true,
      variant: "on",
      evaluationContext: { country: "NZ" },
      userContext: "user-42",
      priorAssignment: true,
    }),
    change: () => ({ result: false }),
  },
  evaluation_rollups: {
    table: s.evaluationRollups,
    row: (f) => ({
      teamId: f.team,
      bucket: T1,
      featureKey: "f1",
      environmentId: f.env,
      clientId: f.client,
      variant: "on",
      result: true,
      evaluationCount: 10,
      cachedCount: 2,
      uniqueUsers: 3,
    }),
    change: () => ({ evaluationCount: 11, uniqueUsers: 4 }),
  },
  evaluation_deltas: {
    table: s.evaluationDeltas,
    row: (f) => ({
      teamId: f.team,
      bucket: T1,
      featureKey: "f1",
      environmentId: f.env,
      clientId: f.client,
      evaluationCount: 10,
      successCount: 4,
      cachedCount: 2,
      lastEvaluatedAt: T2,
      users: new Uint8Array([1, 0, 0, 0, 65]),
    }),
    change: () => ({ evaluationCount: 12, users: null }),
  },
  evaluation_cube: {
    table: s.evaluationCube,
    row: (f) => ({
      teamId: f.team,
      grain: 60,
      bucket: T1,
      featureKey: "f1",
      environmentId: "",
      clientId: f.client,
      evaluationCount: 10,
      successCount: 4,
      cachedCount: 2,
      lastEvaluatedAt: T2,
    }),
    change: () => ({ successCount: 5, lastEvaluatedAt: T1 }),
  },
  evaluation_user_sketches: {
    table: s.evaluationUserSketches,
    row: (f) => ({
      teamId: f.team,
      grain: 1440,
      bucket: T1,
      featureKey: "",
      environmentId: f.env,
      clientId: "",
      users: new Uint8Array([1, 0, 0, 0, 65]),
    }),
    change: () => ({ users: new Uint8Array([1]) }),
  },
  analytics_watermarks: {
    table: s.analyticsWatermarks,
    row: () => ({ grain: 60, sealedUntil: T1 }),
    change: () => ({ sealedUntil: T2 }),
  },
};

test("every table of the schema has a round-trip case", () => {
  expect(Object.keys(CASES).sort()).toEqual([...schemaTables().keys()].sort());
});

describe.each(testDatabaseKinds())("round trip on %s", (kind) => {
  let t: TestDatabase;
  let fixture: Fixture;
  // the tables are dynamic here; drizzle's types need a concrete table, so loosen them once
  const db = () => t.db as unknown as LooseDb;

  beforeAll(async () => {
    t = await createTestDatabase({ kind });
    fixture = await insertFixture(t.db);
  });
  afterAll(() => t?.cleanup());

  test.each(Object.keys(CASES))("%s: insert, read back, update, delete", async (name) => {
    const { table, row, change } = CASES[name];
    const values = row(fixture);
    const [inserted] = await db().insert(table).values(values).returning();
    expect(inserted).toMatchObject(values);
    expect(await db().select().from(table).where(primaryKeyWhere(table, inserted))).toEqual([inserted]);

    const [updated] = await db().update(table).set(change(fixture)).where(primaryKeyWhere(table, inserted)).returning();
    expect(updated).toMatchObject({ ...values, ...change(fixture) });
    expect(await db().select().from(table).where(primaryKeyWhere(table, updated))).toEqual([updated]);

    await db().delete(table).where(primaryKeyWhere(table, updated));
    expect(await db().select().from(table).where(primaryKeyWhere(table, updated))).toEqual([]);
  });

  test("an update that does not set updated_at still moves it", async () => {
    const [team] = await t.db
      .insert(s.teams)
      .values({ name: "stamped", updatedAt: new Date(0) })
      .returning();
    const [after] = await t.db.update(s.teams).set({ description: "x" }).where(eq(s.teams.id, team.id)).returning();
    expect(after.updatedAt.getTime()).toBeGreaterThan(0);
  });
});

interface LooseDb {
  insert(table: PgTable): { values(v: Row): { returning(): Promise<Row[]> } };
  select(): { from(table: PgTable): { where(w: unknown): Promise<Row[]> } };
  update(table: PgTable): { set(v: Row): { where(w: unknown): { returning(): Promise<Row[]> } } };
  delete(table: PgTable): { where(w: unknown): Promise<unknown> };
}
