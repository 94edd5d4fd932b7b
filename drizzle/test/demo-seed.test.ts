import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { hashClientSecret, seedDemo } from "../src/index.ts";
import * as s from "../src/schema/index.ts";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../src/testing.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

describe.each(testDatabaseKinds())("demo seed on %s", (kind) => {
  let t: TestDatabase;
  let seeded: Awaited<ReturnType<typeof seedDemo>>;
  beforeAll(async () => {
    t = await createTestDatabase({ kind });
    seeded = await seedDemo(t.db);
  });
  afterAll(() => t?.cleanup());

  test("an empty database gets one team named Demo and no user accounts", async () => {
    expect(seeded).toBeDefined();
    expect((await t.db.select().from(s.teams)).map((team) => [team.id, team.name])).toEqual([[seeded!.teamId, "Demo"]]);
    expect(await t.db.$count(s.users)).toBe(0);
    expect(await t.db.$count(s.teamMembers)).toBe(0);
  });

  test("three environments, and only production needs approval", async () => {
    const envs = await t.db.select().from(s.environments).orderBy(asc(s.environments.name));
    expect(envs.map((e) => [e.name, e.requiresApproval])).toEqual([
      ["development", false],
      ["production", true],
      ["staging", false],
    ]);
  });

  test("the pipeline chains development → staging → production", async () => {
    const stages = await t.db.select().from(s.pipelineStages).orderBy(asc(s.pipelineStages.orderIndex));
    expect(stages).toHaveLength(3);
    expect(stages.map((stage) => stage.parentStageId)).toEqual([null, stages[0].id, stages[1].id]);
  });

  test("every feature has a stage per environment, DEPLOYED exactly where enabled", async () => {
    const stages = await t.db.select().from(s.featureStages);
    expect(stages).toHaveLength(4 * 3);
    for (const stage of stages) expect(stage.enabled).toBe(stage.status === "DEPLOYED");
    expect(stages.every((stage) => ["DEPLOYED", "NOT_DEPLOYED"].includes(stage.status))).toBe(true);
  });

  test("the contextual feature serves on to 30 % of beta countries, through the context", async () => {
    const [context] = await t.db.select().from(s.contexts);
    const values = await t.db.select().from(s.contextValues).where(eq(s.contextValues.contextId, context.id));
    expect(context.key).toBe("beta-countries");
    expect(values.length).toBeGreaterThan(0);
    const rules = await rulesOf(t, "beta-banner");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.rollout).toBe("30.000");
      expect(rule.serve).toEqual({ kind: "on" });
      expect(rule.groups).toEqual([
        { operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: [], contextId: context.id }] },
      ]);
    }
    expect(await t.db.$count(s.stageRuleContexts, eq(s.stageRuleContexts.contextId, context.id))).toBe(rules.length);
  });

  test("the string feature has weighted variants and a rule that splits between them", async () => {
    const [feature] = await t.db.select().from(s.features).where(eq(s.features.key, "checkout-button-colour"));
    const variants = await t.db.select().from(s.featureVariants).where(eq(s.featureVariants.featureId, feature.id));
    expect(feature.valueType).toBe("string");
    expect(variants.map((v) => v.key).sort()).toEqual(["blue", "green", "orange"]);
    const [rule] = await rulesOf(t, "checkout-button-colour");
    expect(rule.serve).toMatchObject({
      kind: "split",
      weights: expect.arrayContaining([{ variant: "green", weight: 30 }]),
    });
  });

  test("one feature depends on another", async () => {
    const rows = await t.db.select().from(s.featureDependencies);
    expect(rows).toHaveLength(1);
  });

  test("the Backend client is unbound and its secret is stored only as a SHA-256 hash", async () => {
    const { clientId, clientSecret } = seeded!;
    const [client] = await t.db.select().from(s.clients).where(eq(s.clients.id, clientId));
    expect(clientSecret).toMatch(/^fgs_[0-9A-Za-z]{40}$/);
    expect(client).toMatchObject({ clientType: "Backend", environmentId: null, enabled: true });
    expect(client.secretHash).toBe(hashClientSecret(clientSecret));
    expect(client.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(client.secretPrefix).toBe(clientSecret.slice(0, 8));
  });

  test("each configuration change took its own config_version and is in the change log", async () => {
    const changes = await t.db.select().from(s.configChanges).orderBy(asc(s.configChanges.version));
    const versions = changes.map((c) => c.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(changes.every((c) => c.kind === "UPSERT" && c.teamId === seeded!.teamId)).toBe(true);
    const byEntity = (entity: string) => changes.filter((c) => c.entity === entity).map((c) => c.key);
    expect(byEntity("feature").sort()).toEqual([
      "beta-banner",
      "checkout-button-colour",
      "express-shipping",
      "new-checkout",
    ]);
    expect(byEntity("client")).toEqual(["demo-backend"]);
    expect(byEntity("environment")).toHaveLength(3);
  });

  test("a database that already has a team is left alone", async () => {
    const before = await t.db.$count(s.configChanges);
    expect(await seedDemo(t.db)).toBeUndefined();
    expect(await t.db.$count(s.teams)).toBe(1);
    expect(await t.db.$count(s.configChanges)).toBe(before);
  });
});

async function rulesOf(t: TestDatabase, key: string) {
  return t.db
    .select({ rollout: s.stageRules.rollout, serve: s.stageRules.serve, groups: s.stageRules.groups })
    .from(s.stageRules)
    .innerJoin(s.featureStages, eq(s.featureStages.id, s.stageRules.stageId))
    .innerJoin(s.features, eq(s.features.id, s.featureStages.featureId))
    .where(eq(s.features.key, key));
}
