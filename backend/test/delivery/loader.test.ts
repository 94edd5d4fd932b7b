import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { executeRows, featureDependencies, features } from "@fluxgate/drizzle";
import { createTestDatabase, type TestDatabase } from "@fluxgate/drizzle/testing";
import { eq, sql } from "drizzle-orm";
import { loadFlagRecords, loadTeamRecords } from "../../src/delivery/snapshot-repository.ts";
import { createContext, createFlag, createTeam, type TeamFixture } from "./fixtures.ts";

let database: TestDatabase;
let team: TeamFixture;
let other: TeamFixture;
let ids: { alpha: string; beta: string; gamma: string };
let lists: { beta: string; empty: string; foreign: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  team = await createTeam(db);
  other = await createTeam(db);
  lists = {
    beta: await createContext(db, team.teamId, "beta-users", ["zoe", "ann", "NL"]),
    empty: await createContext(db, team.teamId, "nobody", []),
    foreign: await createContext(db, other.teamId, "foreign", ["x"]),
  };
  const alpha = await createFlag(db, team.teamId, "alpha", {
    valueType: "string",
    variants: [
      { key: "b", value: "B" },
      { key: "a", value: { nested: [1, 2] } },
    ],
    defaultVariant: "a",
    stages: [
      {
        environmentId: team.prod,
        rules: [
          {
            groups: [
              {
                operator: "AND",
                conditions: [
                  { contextKey: "country", operator: "in", values: ["NL", "DE", "NL"], contextId: lists.beta },
                ],
              },
            ],
            rollout: 33.333,
          },
          {
            groups: [
              {
                operator: "OR",
                conditions: [
                  {
                    contextKey: "email",
                    operator: "ends_with",
                    values: ["@x.com"],
                    negate: true,
                    caseInsensitive: true,
                  },
                  { contextKey: "k", operator: "in", values: ["v"], negate: false, contextId: lists.empty },
                ],
              },
            ],
            serve: { kind: "variant", variant: "b" },
          },
          {
            groups: [
              {
                operator: "AND",
                conditions: [
                  { contextKey: "c", operator: "in", values: ["q"], contextId: lists.foreign },
                  { contextKey: "d", operator: "in", values: ["q"], contextId: "not-a-uuid" },
                  { contextKey: "e", operator: "in", values: ["q"], contextId: crypto.randomUUID() },
                ],
              },
            ],
          },
        ],
      },
      { environmentId: team.dev, enabled: false },
    ],
  });
  const beta = await createFlag(db, team.teamId, "beta", { stages: [{ environmentId: team.dev }] });
  const gamma = await createFlag(db, team.teamId, "gamma", {});
  ids = { alpha: alpha.id, beta: beta.id, gamma: gamma.id };
  await db
    .update(features)
    .set({ killed: true, killedAt: new Date("2025-01-02T03:04:05.678Z"), description: "killed one" })
    .where(eq(features.id, gamma.id));
  await executeRows(
    db,
    sql`update features set kill_scheduled_at = '2030-01-01 00:00:00.123999+00' where id = ${gamma.id}`,
  );
  await db.insert(featureDependencies).values([
    { featureId: alpha.id, dependsOnId: gamma.id, variant: "on" },
    { featureId: alpha.id, dependsOnId: beta.id, variant: null },
  ]);
}, 30_000);

afterAll(async () => {
  await database.cleanup();
}, 30_000);

describe("flags read from the database", () => {
  test("a flag carries its variants, stages, rules and dependencies in delivery order", async () => {
    const [alpha] = await loadFlagRecords(database.db, { featureIds: [ids.alpha] });
    const { flag } = alpha;
    expect(flag).toMatchObject({ key: "alpha", id: ids.alpha, salt: "alpha", valueType: "string", killed: false });
    expect(flag.variants).toEqual([
      { key: "b", value: "B", weight: 0 },
      { key: "a", value: { nested: [1, 2] }, weight: 0 },
    ]);
    expect(flag.defaultVariant).toBe("a");
    expect(flag.killAt).toBeNull();
    expect(flag.dependencies).toEqual([
      { flagKey: "beta", variant: null },
      { flagKey: "gamma", variant: "on" },
    ]);
    expect(alpha.dependencyIds).toEqual([ids.beta, ids.gamma]);
    expect(flag.stages.map((s) => [s.environmentId, s.deployed])).toEqual([
      [team.prod, true],
      [team.dev, false],
    ]);
    const rules = flag.stages[0].rules;
    expect(rules.map((r) => r.rollout)).toEqual([33.333, 100, 100]);
    expect(rules[1].serve).toEqual({ kind: "variant", variant: "b" });
    expect(alpha.stageMeta.get(team.prod)?.orderIndex).toBe(0);
  });

  test("context lists join the literal values (deduplicated, list in value order); only the team's own lists", async () => {
    const [alpha] = await loadFlagRecords(database.db, { featureIds: [ids.alpha] });
    const [first, second, third] = alpha.flag.stages[0].rules;
    expect(first.groups[0].conditions[0].values).toEqual(["NL", "DE", "NL", "ann", "zoe"].filter(unique));
    expect(second.groups[0].conditions).toEqual([
      { contextKey: "email", operator: "ends_with", values: ["@x.com"], negate: true, caseInsensitive: true },
      { contextKey: "k", operator: "in", values: ["v"] },
    ]);
    // another team's list, a malformed id and an unknown id read nothing
    expect(third.groups[0].conditions.map((c) => c.values)).toEqual([["q"], ["q"], ["q"]]);
    expect(alpha.contextNames.get(first.id)).toBe("beta-users");
    expect(alpha.contextNames.get(second.id)).toBe("nobody");
    expect(alpha.contextNames.has(third.id)).toBe(false);
  });

  test("kill times and dates come through at millisecond precision", async () => {
    const [gamma] = await loadFlagRecords(database.db, { featureIds: [ids.gamma] });
    expect(gamma.flag.killed).toBe(true);
    expect(gamma.flag.killAt).toBe(Date.parse("2030-01-01T00:00:00.123Z"));
    expect(gamma.killScheduledAt?.toISOString()).toBe("2030-01-01T00:00:00.123Z");
    expect(gamma.killedAt?.toISOString()).toBe("2025-01-02T03:04:05.678Z");
    expect(gamma.description).toBe("killed one");
    expect(gamma.createdAt).toBeInstanceOf(Date);
  });

  test("a team's load and a load by ids give the same records, in key order", async () => {
    const byTeam = await loadTeamRecords(database.db, team.teamId);
    const byIds = await loadFlagRecords(database.db, {
      featureIds: [ids.gamma, ids.beta, ids.alpha, crypto.randomUUID()],
    });
    expect(byTeam.records.map((r) => r.flag.key)).toEqual(byIds.map((r) => r.flag.key));
    expect(byTeam.records).toEqual(byIds);
    expect(byTeam.environments.map((e) => e.name)).toEqual(["dev", "prod"]);
    expect(await loadFlagRecords(database.db, { featureIds: [] })).toEqual([]);
    expect((await loadTeamRecords(database.db, other.teamId)).records).toEqual([]);
  });
});

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}
