import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activityLog, configChanges, environments, featureStages, features, pipelineStages } from "@fluxgate/drizzle";
import { and, eq } from "drizzle-orm";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const FIELDS = "id teamId name active requiresApproval createdAt";
const CREATE = `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateEnvironmentInput!) { updateEnvironment(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteEnvironment(id: $id) }`;
const GET = `query($id: ID!) { environment(id: $id) { ${FIELDS} } }`;
const LIST = `query($teamId: ID!, $name: String, $active: Boolean, $pageNumber: Int, $pageSize: Int) {
  environments(teamId: $teamId, name: $name, active: $active, pageNumber: $pageNumber, pageSize: $pageSize) {
    items { name active } pageNumber pageSize total } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

async function createEnvironment(
  name = unique("env"),
  teamId = org.teamA.id,
  active = true,
  token = org.teamAdmin.token,
) {
  return dataOf(await t.gql(CREATE, { teamId, input: { name, active } }, token)).createEnvironment as {
    id: string;
    name: string;
  };
}

const changesOf = (entityId: string) =>
  t.database.db.select().from(configChanges).where(eq(configChanges.entityId, entityId)).orderBy(configChanges.version);

describe("environments", () => {
  test("a Team Admin creates an environment and every member reads it, by id and in the list", async () => {
    const name = unique("staging");
    const created = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { name, active: false, requiresApproval: true } },
      org.teamAdmin.token,
    );
    expect(created.errors).toBeUndefined();
    const env = created.data.createEnvironment;
    expect(env).toMatchObject({ teamId: org.teamA.id, name, active: false, requiresApproval: true });
    const read = await t.gql(GET, { id: env.id }, org.viewer.token);
    expect(read.data.environment).toEqual(env);
    const list = dataOf(await t.gql(LIST, { teamId: org.teamA.id, name }, org.viewer.token)).environments;
    expect(list).toEqual({ items: [{ name, active: false }], pageNumber: 1, pageSize: 1, total: 1 });
  });

  test("requiresApproval defaults to false", async () => {
    const env = dataOf(await t.gql(GET, { id: (await createEnvironment()).id }, org.viewer.token)).environment;
    expect(env.requiresApproval).toBe(false);
  });

  test("the list is everything unless pageNumber and pageSize are both given; name is a prefix, never a substring", async () => {
    const team = dataOf(
      await t.gql(`mutation { createTeam(input: { name: "${unique("paging")}" }) { id } }`, {}, org.admin.token),
    ).createTeam.id as string;
    for (const name of ["alpha", "Alpine", "beta", "gamma-alpha"])
      await createEnvironment(name, team, name !== "beta", org.admin.token);
    const list = (vars: Record<string, unknown>) =>
      t.gql(LIST, { teamId: team, ...vars }, org.admin.token).then((r) => dataOf(r).environments);
    expect(await list({ pageSize: 2 })).toMatchObject({ pageNumber: 1, pageSize: 4, total: 4 });
    expect(await list({ pageNumber: 2, pageSize: 3 })).toEqual({
      items: [{ name: "gamma-alpha", active: true }],
      pageNumber: 2,
      pageSize: 3,
      total: 4,
    });
    expect((await list({ name: "alp" })).items.map((e: { name: string }) => e.name)).toEqual(["alpha", "Alpine"]);
    expect((await list({ name: "alpha" })).items.map((e: { name: string }) => e.name)).toEqual(["alpha"]);
    expect((await list({ name: "%a" })).total).toBe(0);
    expect((await list({ active: false })).items).toEqual([{ name: "beta", active: false }]);
  });

  test("updateEnvironment changes only the given fields and audits before and after", async () => {
    const env = await createEnvironment();
    const renamed = unique("renamed");
    const result = await t.gql(UPDATE, { id: env.id, input: { name: renamed } }, org.teamAdmin.token);
    expect(result.data.updateEnvironment).toMatchObject({ name: renamed, active: true, requiresApproval: false });
    const toggled = await t.gql(UPDATE, { id: env.id, input: { requiresApproval: true } }, org.teamAdmin.token);
    expect(toggled.data.updateEnvironment).toMatchObject({ name: renamed, requiresApproval: true });
    const [entry] = await t.database.db
      .select()
      .from(activityLog)
      .where(and(eq(activityLog.entityId, env.id), eq(activityLog.activityType, "environment_updated")))
      .orderBy(activityLog.createdAt)
      .limit(1);
    expect(entry).toMatchObject({
      teamId: org.teamA.id,
      actorId: org.teamAdmin.userId,
      before: { name: env.name },
      after: { name: renamed },
    });
  });

  test("create, update and delete each write an environment change for the edges", async () => {
    const env = await createEnvironment();
    await t.gql(UPDATE, { id: env.id, input: { active: false } }, org.teamAdmin.token);
    expect(dataOf(await t.gql(DELETE, { id: env.id }, org.teamAdmin.token)).deleteEnvironment).toBe(true);
    const changes = await changesOf(env.id);
    expect(changes.map((c) => [c.entity, c.kind, c.teamId])).toEqual([
      ["environment", "UPSERT", org.teamA.id],
      ["environment", "UPSERT", org.teamA.id],
      ["environment", "DELETE", org.teamA.id],
    ]);
    expect(codeOf(await t.gql(GET, { id: env.id }, org.teamAdmin.token))).toBe("NOT_FOUND");
  });

  test("every operation needs a session: UNAUTHENTICATED", async () => {
    const env = await createEnvironment();
    for (const [query, vars] of operations(env.id)) expect(codeOf(await t.gql(query, vars))).toBe("UNAUTHENTICATED");
  });

  test("a member of another team gets NOT_FOUND for every operation", async () => {
    const env = await createEnvironment();
    for (const [query, vars] of operations(env.id)) {
      expect(codeOf(await t.gql(query, vars, org.outsider.token))).toBe("NOT_FOUND");
    }
    expect(dataOf(await t.gql(GET, { id: env.id }, org.teamAdmin.token)).environment.name).toBe(env.name);
  });

  test("Viewers, Requesters and Approvers read but may not write: FORBIDDEN", async () => {
    const env = await createEnvironment();
    for (const member of [org.viewer, org.requester, org.approver]) {
      for (const [query, vars] of operations(env.id).slice(2)) {
        expect(codeOf(await t.gql(query, vars, member.token))).toBe("FORBIDDEN");
      }
    }
    expect(await t.database.db.select().from(environments).where(eq(environments.id, env.id))).toHaveLength(1);
  });

  test("invalid input is BAD_USER_INPUT naming the field, and nothing is stored", async () => {
    const before = await t.database.db.select().from(environments);
    const cases: [string, Record<string, unknown>, string][] = [
      [CREATE, { teamId: org.teamA.id, input: { name: "ab", active: true } }, "input.name"],
      [CREATE, { teamId: org.teamA.id, input: { name: "x".repeat(51), active: true } }, "input.name"],
      [CREATE, { teamId: org.teamA.id, input: { name: "   ", active: true } }, "input.name"],
      [CREATE, { teamId: "not-a-uuid", input: { name: "valid", active: true } }, "teamId"],
      [UPDATE, { id: (await createEnvironment()).id, input: { name: "no" } }, "input.name"],
      [DELETE, { id: "42" }, "id"],
    ];
    const count = before.length + 1;
    for (const [query, vars, field] of cases) {
      const result = await t.gql(query, vars, org.teamAdmin.token);
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0].extensions?.field).toBe(field);
    }
    expect(await t.database.db.select().from(environments)).toHaveLength(count);
  });

  test("a duplicate name in the team is CONFLICT; another team may use it", async () => {
    const env = await createEnvironment();
    const again = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { name: env.name, active: true } },
      org.teamAdmin.token,
    );
    expect(codeOf(again)).toBe("CONFLICT");
    expect(again.errors?.[0].message).toContain("already exists");
    const other = await createEnvironment();
    const rename = await t.gql(UPDATE, { id: other.id, input: { name: env.name } }, org.teamAdmin.token);
    expect(codeOf(rename)).toBe("CONFLICT");
    const teamB = await t.gql(
      CREATE,
      { teamId: org.teamB.id, input: { name: env.name, active: true } },
      org.outsider.token,
    );
    expect(teamB.errors).toBeUndefined();
  });

  test("an environment a client is bound to cannot be deleted: CONFLICT naming the client", async () => {
    const env = await createEnvironment();
    const name = unique("bound-client");
    dataOf(
      await t.gql(
        `mutation($teamId: ID!, $input: CreateClientInput!) { createClient(teamId: $teamId, input: $input) { secret } }`,
        { teamId: org.teamA.id, input: { name, clientType: "BACKEND", environmentId: env.id } },
        org.teamAdmin.token,
      ),
    );
    const result = await t.gql(DELETE, { id: env.id }, org.teamAdmin.token);
    expect(codeOf(result)).toBe("CONFLICT");
    expect(result.errors?.[0].message).toContain(`'${name}'`);
    expect(await t.database.db.select().from(environments).where(eq(environments.id, env.id))).toHaveLength(1);
  });

  test("deleting an environment drops its stages, re-attaches their children and re-sends each feature that lost one", async () => {
    const [dev, staging, prod] = [await createEnvironment(), await createEnvironment(), await createEnvironment()];
    const pipelineId = dataOf(
      await t.gql(
        `mutation($teamId: ID!, $input: CreatePipelineInput!) { createPipeline(teamId: $teamId, input: $input) }`,
        {
          teamId: org.teamA.id,
          input: {
            name: unique("chain"),
            stages: [dev, staging, prod].map((e, i) => ({ environmentId: e.id, orderIndex: i, position: String(i) })),
            relationships: [
              { sourceId: 0, targetId: 1 },
              { sourceId: 1, targetId: 2 },
            ],
          },
        },
        org.teamAdmin.token,
      ),
    ).createPipeline as string;
    const db = t.database.db;
    const key = unique("flag");
    const [feature] = await db.insert(features).values({ teamId: org.teamA.id, key, salt: key }).returning();
    const [devStage] = await db
      .insert(featureStages)
      .values({ featureId: feature.id, environmentId: dev.id, orderIndex: 0 })
      .returning();
    const [stagingStage] = await db
      .insert(featureStages)
      .values({ featureId: feature.id, environmentId: staging.id, orderIndex: 1, parentStageId: devStage.id })
      .returning();
    await db
      .insert(featureStages)
      .values({ featureId: feature.id, environmentId: prod.id, orderIndex: 2, parentStageId: stagingStage.id });

    expect(dataOf(await t.gql(DELETE, { id: staging.id }, org.teamAdmin.token)).deleteEnvironment).toBe(true);

    const pipeline = dataOf(
      await t.gql(
        `query($id: ID!) { pipeline(id: $id) { stages { orderIndex environment { id } } relationships { sourceId targetId } } }`,
        { id: pipelineId },
        org.viewer.token,
      ),
    ).pipeline;
    expect(pipeline.stages).toEqual([
      { orderIndex: 0, environment: { id: dev.id } },
      { orderIndex: 2, environment: { id: prod.id } },
    ]);
    expect(pipeline.relationships).toEqual([{ sourceId: 0, targetId: 2 }]);
    const stages = await db.select().from(featureStages).where(eq(featureStages.featureId, feature.id));
    expect(stages.map((s) => [s.environmentId, s.parentStageId]).sort()).toEqual(
      [
        [dev.id, null],
        [prod.id, devStage.id],
      ].sort(),
    );
    expect(await db.select().from(pipelineStages).where(eq(pipelineStages.environmentId, staging.id))).toEqual([]);
    expect((await changesOf(feature.id)).map((c) => [c.entity, c.kind, c.key])).toEqual([["feature", "UPSERT", key]]);
  });
});

/** Every operation on the environment `id`: the two reads first, then the writes. */
function operations(id: string): [string, Record<string, unknown>][] {
  return [
    [GET, { id }],
    [LIST, { teamId: org.teamA.id }],
    [CREATE, { teamId: org.teamA.id, input: { name: unique("denied"), active: true } }],
    [UPDATE, { id, input: { name: unique("denied") } }],
    [DELETE, { id }],
  ];
}
