import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  activityLog,
  configChanges,
  contexts,
  contextValues,
  environments,
  featureStages,
  features,
  stageRuleContexts,
  stageRules,
} from "@fluxgate/drizzle";
import { and, eq } from "drizzle-orm";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const FIELDS = "id teamId key description entries { id value } values";
const CREATE = `mutation($teamId: ID!, $input: CreateContextInput!) { createContext(teamId: $teamId, input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateContextInput!) { updateContext(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteContext(id: $id) }`;
const GET = `query($id: ID!) { context(id: $id) { ${FIELDS} } }`;
const LIST = `query($teamId: ID!, $key: String, $pageNumber: Int, $pageSize: Int) {
  contexts(teamId: $teamId, key: $key, pageNumber: $pageNumber, pageSize: $pageSize) {
    items { key values } pageNumber pageSize total } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

async function createContext(key = unique("ctx"), entries = ["de", "fr"]) {
  return dataOf(await t.gql(CREATE, { teamId: org.teamA.id, input: { key, entries } }, org.requester.token))
    .createContext as { id: string; key: string };
}

const storedContexts = async () => (await t.database.db.select().from(contexts)).length;
const storedValues = async () => (await t.database.db.select().from(contextValues)).length;

/** A feature of team A with one stage whose rule takes its values from the context. */
async function useInRule(contextId: string): Promise<string> {
  const db = t.database.db;
  const key = unique("flag");
  const [env] = await db
    .insert(environments)
    .values({ teamId: org.teamA.id, name: unique("env") })
    .returning();
  const [feature] = await db.insert(features).values({ teamId: org.teamA.id, key, salt: key }).returning();
  const [stage] = await db
    .insert(featureStages)
    .values({ featureId: feature.id, environmentId: env.id, orderIndex: 0 })
    .returning();
  const [rule] = await db.insert(stageRules).values({ stageId: stage.id, priority: 1 }).returning();
  await db.insert(stageRuleContexts).values({ ruleId: rule.id, contextId });
  return key;
}

describe("contexts", () => {
  test("a Requester creates a context; entries come back sorted by value and every member reads it", async () => {
    const key = unique("country");
    const result = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { key, description: "EU launch", entries: ["fr", "de", "it"] } },
      org.requester.token,
    );
    expect(result.errors).toBeUndefined();
    const context = result.data.createContext;
    expect(context).toMatchObject({ teamId: org.teamA.id, key, description: "EU launch", values: ["de", "fr", "it"] });
    expect(context.entries.map((e: { value: string }) => e.value)).toEqual(["de", "fr", "it"]);
    expect(dataOf(await t.gql(GET, { id: context.id }, org.viewer.token)).context).toEqual(context);
  });

  test("a context may start empty, and values are kept exactly as given", async () => {
    const empty = await createContext(unique("empty"), []);
    expect(dataOf(await t.gql(GET, { id: empty.id }, org.viewer.token)).context.entries).toEqual([]);
    const spaced = await createContext(unique("spaced"), ["b ", "a"]);
    expect(dataOf(await t.gql(GET, { id: spaced.id }, org.viewer.token)).context.values).toEqual(["a", "b "]);
  });

  test("the list pages only with both arguments and filters by key prefix", async () => {
    const prefix = unique("listed");
    for (const suffix of ["b", "a", "c"]) await createContext(`${prefix}-${suffix}`);
    const list = async (vars: Record<string, unknown>) =>
      dataOf(await t.gql(LIST, { teamId: org.teamA.id, key: prefix, ...vars }, org.viewer.token)).contexts;
    expect((await list({ pageSize: 1 })).items.map((c: { key: string }) => c.key)).toEqual(
      ["a", "b", "c"].map((s) => `${prefix}-${s}`),
    );
    expect(await list({ pageNumber: 2, pageSize: 2 })).toEqual({
      items: [{ key: `${prefix}-c`, values: ["de", "fr"] }],
      pageNumber: 2,
      pageSize: 2,
      total: 3,
    });
    expect((await list({ key: prefix.slice(2) })).total).toBe(0);
  });

  test("updateContext replaces the entries in one go, records a context change and audits before and after", async () => {
    const context = await createContext();
    const renamed = unique("renamed");
    const result = await t.gql(
      UPDATE,
      { id: context.id, input: { key: renamed, entries: ["us", "ca"] } },
      org.requester.token,
    );
    expect(result.data.updateContext).toMatchObject({ key: renamed, values: ["ca", "us"] });
    const descriptionOnly = await t.gql(UPDATE, { id: context.id, input: { description: "NA" } }, org.requester.token);
    expect(descriptionOnly.data.updateContext).toMatchObject({ key: renamed, description: "NA", values: ["ca", "us"] });
    const changes = await t.database.db.select().from(configChanges).where(eq(configChanges.entityId, context.id));
    expect(changes.map((c) => [c.entity, c.kind, c.key, c.teamId])).toEqual([
      ["context", "UPSERT", renamed, org.teamA.id],
      ["context", "UPSERT", renamed, org.teamA.id],
    ]);
    const [entry] = await t.database.db
      .select()
      .from(activityLog)
      .where(and(eq(activityLog.entityId, context.id), eq(activityLog.activityType, "context_updated")))
      .orderBy(activityLog.createdAt)
      .limit(1);
    expect(entry).toMatchObject({
      actorId: org.requester.userId,
      before: { key: context.key, entries: ["de", "fr"] },
      after: { key: renamed, entries: ["ca", "us"] },
    });
  });

  test("deleteContext removes an unused context with its values", async () => {
    const context = await createContext();
    expect(dataOf(await t.gql(DELETE, { id: context.id }, org.requester.token)).deleteContext).toBe(true);
    expect(codeOf(await t.gql(GET, { id: context.id }, org.viewer.token))).toBe("NOT_FOUND");
    expect(
      await t.database.db.select().from(contextValues).where(eq(contextValues.contextId, context.id)),
    ).toHaveLength(0);
  });

  test("a context a rule uses cannot be deleted: CONFLICT naming the feature", async () => {
    const context = await createContext();
    const featureKey = await useInRule(context.id);
    const result = await t.gql(DELETE, { id: context.id }, org.teamAdmin.token);
    expect(codeOf(result)).toBe("CONFLICT");
    expect(result.errors?.[0].message).toContain(`'${featureKey}'`);
    expect(dataOf(await t.gql(GET, { id: context.id }, org.viewer.token)).context.values).toEqual(["de", "fr"]);
  });

  test("every operation needs a session: UNAUTHENTICATED", async () => {
    const context = await createContext();
    for (const [query, vars] of operations(context.id)) {
      expect(codeOf(await t.gql(query, vars))).toBe("UNAUTHENTICATED");
    }
  });

  test("a member of another team gets NOT_FOUND for every operation", async () => {
    const context = await createContext();
    for (const [query, vars] of operations(context.id)) {
      expect(codeOf(await t.gql(query, vars, org.outsider.token))).toBe("NOT_FOUND");
    }
  });

  test("a Viewer reads but may not write: FORBIDDEN", async () => {
    const context = await createContext();
    expect(dataOf(await t.gql(GET, { id: context.id }, org.viewer.token)).context.id).toBe(context.id);
    for (const [query, vars] of operations(context.id).slice(2)) {
      expect(codeOf(await t.gql(query, vars, org.viewer.token))).toBe("FORBIDDEN");
    }
  });

  test("a duplicate key in the team is CONFLICT, on create and on rename", async () => {
    const context = await createContext();
    const again = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { key: context.key, entries: [] } },
      org.requester.token,
    );
    expect(codeOf(again)).toBe("CONFLICT");
    const other = await createContext();
    expect(codeOf(await t.gql(UPDATE, { id: other.id, input: { key: context.key } }, org.requester.token))).toBe(
      "CONFLICT",
    );
  });

  test("invalid input is BAD_USER_INPUT naming the field, and nothing is stored", async () => {
    const existing = await createContext();
    const [contextsBefore, valuesBefore] = [await storedContexts(), await storedValues()];
    const create = (input: Record<string, unknown>) => [CREATE, { teamId: org.teamA.id, input }] as const;
    const cases: [readonly [string, Record<string, unknown>], string][] = [
      [create({ key: " ", entries: [] }), "input.key"],
      [create({ key: "k".repeat(101), entries: [] }), "input.key"],
      [create({ key: unique("k"), entries: ["a", ""] }), "input.entries[1]"],
      [create({ key: unique("k"), entries: ["  "] }), "input.entries[0]"],
      [create({ key: unique("k"), entries: ["a", "b", "a"] }), "input.entries[2]"],
      [create({ key: unique("k"), entries: ["x".repeat(1001)] }), "input.entries[0]"],
      [[UPDATE, { id: existing.id, input: { entries: ["x", "x"] } }], "input.entries[1]"],
      [[UPDATE, { id: existing.id, input: { key: "" } }], "input.key"],
      [[GET, { id: "nope" }], "id"],
      // lone UTF-16 surrogates (JSON can carry them as \ud800): refused before anything reaches the database
      [create({ key: "\ud800", entries: [] }), "input.key"],
      [create({ key: unique("k"), entries: ["ok", "a\udc00b"] }), "input.entries[1]"],
    ];
    for (const [[query, vars], field] of cases) {
      const result = await t.gql(query, vars, org.requester.token);
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0].extensions?.field).toBe(field);
    }
    expect([await storedContexts(), await storedValues()]).toEqual([contextsBefore, valuesBefore]);
    expect(dataOf(await t.gql(GET, { id: existing.id }, org.viewer.token)).context.values).toEqual(["de", "fr"]);
  });
});

/** Every operation on the context `id`: the two reads first, then the writes. */
function operations(id: string): [string, Record<string, unknown>][] {
  return [
    [GET, { id }],
    [LIST, { teamId: org.teamA.id }],
    [CREATE, { teamId: org.teamA.id, input: { key: unique("denied"), entries: [] } }],
    [UPDATE, { id, input: { entries: ["denied"] } }],
    [DELETE, { id }],
  ];
}
