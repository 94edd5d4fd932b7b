import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activityLog, type Db, pipelines } from "@fluxgate/drizzle";
import { and, eq } from "drizzle-orm";
import { stageLoader } from "../src/pipelines/stage-loader";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const FIELDS = `id teamId name active
  stages { id orderIndex position environment { id name } }
  relationships { sourceId targetId }`;
const CREATE = `mutation($teamId: ID!, $input: CreatePipelineInput!) { createPipeline(teamId: $teamId, input: $input) }`;
const UPDATE = `mutation($id: ID!, $input: UpdatePipelineInput!) { updatePipeline(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deletePipeline(id: $id) }`;
const GET = `query($id: ID!) { pipeline(id: $id) { ${FIELDS} } }`;
const LIST = `query($teamId: ID!, $name: String, $active: Boolean, $pageNumber: Int, $pageSize: Int) {
  pipelines(teamId: $teamId, name: $name, active: $active, pageNumber: $pageNumber, pageSize: $pageSize) {
    items { ${FIELDS} } pageNumber pageSize total } }`;

let t: TestBackend;
let org: Organisation;
/** dev, staging, prod of team A. */
let envs: { id: string; name: string }[];
let otherTeamEnv: string;

beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
  const createEnv = async (teamId: string, token: string) =>
    dataOf(
      await t.gql(
        `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id name } }`,
        { teamId, input: { name: unique("env"), active: true } },
        token,
      ),
    ).createEnvironment;
  envs = [];
  for (let i = 0; i < 3; i++) envs.push(await createEnv(org.teamA.id, org.teamAdmin.token));
  otherTeamEnv = (await createEnv(org.teamB.id, org.outsider.token)).id;
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

/** A chain over `environments` (default: all three). */
function chainInput(name = unique("pipeline"), environments = envs) {
  return {
    name,
    stages: environments.map((e, i) => ({ environmentId: e.id, orderIndex: i, position: `{"x":${i * 100}}` })),
    relationships: environments.slice(1).map((_, i) => ({ sourceId: i, targetId: i + 1 })),
  };
}

async function createPipeline(input = chainInput()): Promise<string> {
  return dataOf(await t.gql(CREATE, { teamId: org.teamA.id, input }, org.teamAdmin.token)).createPipeline;
}

const pipelineCount = async () => (await t.database.db.select().from(pipelines)).length;

describe("pipelines", () => {
  test("createPipeline returns the id; pipeline(id) has the stages by orderIndex and the relationships", async () => {
    const input = chainInput();
    const result = await t.gql(CREATE, { teamId: org.teamA.id, input }, org.teamAdmin.token);
    expect(result.errors).toBeUndefined();
    const id = result.data.createPipeline;
    const pipeline = dataOf(await t.gql(GET, { id }, org.viewer.token)).pipeline;
    expect(pipeline).toMatchObject({ id, teamId: org.teamA.id, name: input.name, active: true });
    expect(pipeline.stages.map((s: { orderIndex: number; environment: { id: string } }) => s.environment.id)).toEqual(
      envs.map((e) => e.id),
    );
    expect(pipeline.stages[2]).toMatchObject({ orderIndex: 2, position: '{"x":200}', environment: envs[2] });
    expect(pipeline.relationships).toEqual([
      { sourceId: 0, targetId: 1 },
      { sourceId: 1, targetId: 2 },
    ]);
  });

  test("a tree is accepted: two stages after the same parent", async () => {
    const input = {
      name: unique("fan-out"),
      stages: envs.map((e, i) => ({ environmentId: e.id, orderIndex: i * 10, position: String(i) })),
      relationships: [
        { sourceId: 0, targetId: 20 },
        { sourceId: 0, targetId: 10 },
      ],
    };
    const id = await createPipeline(input);
    const { relationships } = dataOf(await t.gql(GET, { id }, org.viewer.token)).pipeline;
    expect(relationships).toEqual([
      { sourceId: 0, targetId: 10 },
      { sourceId: 0, targetId: 20 },
    ]);
  });

  test("the list resolves every pipeline's stages, pages only with both arguments and filters by name prefix", async () => {
    const prefix = unique("listed");
    for (const suffix of ["a", "b", "c"]) await createPipeline(chainInput(`${prefix}-${suffix}`));
    const list = async (vars: Record<string, unknown>) =>
      dataOf(await t.gql(LIST, { teamId: org.teamA.id, name: prefix, ...vars }, org.viewer.token)).pipelines;
    const all = await list({});
    expect(all).toMatchObject({ pageNumber: 1, pageSize: 3, total: 3 });
    for (const p of all.items) expect(p.stages).toHaveLength(3);
    const page = await list({ pageNumber: 2, pageSize: 2 });
    expect(page.items.map((p: { name: string }) => p.name)).toEqual([`${prefix}-c`]);
    expect(page).toMatchObject({ pageNumber: 2, pageSize: 2, total: 3 });
    expect((await list({ name: prefix.slice(1) })).total).toBe(0);
  });

  test("stages of many pipelines load with one query", async () => {
    const ids = [await createPipeline(), await createPipeline(), await createPipeline()];
    let selects = 0;
    const counting = new Proxy(t.database.db, {
      get(target, prop, receiver) {
        if (prop === "select") selects++;
        return Reflect.get(target, prop, receiver);
      },
    }) as Db;
    const load = stageLoader({}, counting);
    const loaded = await Promise.all([...ids, ids[0]].map((id) => load(id)));
    expect(selects).toBe(1);
    expect(loaded.map((stages) => stages.length)).toEqual([3, 3, 3, 3]);
  });

  test("updatePipeline replaces the stages when given, keeps them otherwise, and audits before and after", async () => {
    const id = await createPipeline();
    const renamed = unique("renamed");
    const kept = dataOf(await t.gql(UPDATE, { id, input: { name: renamed, active: false } }, org.teamAdmin.token));
    expect(kept.updatePipeline).toMatchObject({ name: renamed, active: false });
    expect(kept.updatePipeline.stages).toHaveLength(3);
    const replaced = dataOf(
      await t.gql(
        UPDATE,
        {
          id,
          input: {
            stages: chainInput(renamed, [envs[2], envs[0]]).stages,
            relationships: [{ sourceId: 0, targetId: 1 }],
          },
        },
        org.teamAdmin.token,
      ),
    ).updatePipeline;
    expect(replaced.stages.map((s: { environment: { id: string } }) => s.environment.id)).toEqual([
      envs[2].id,
      envs[0].id,
    ]);
    expect(replaced.relationships).toEqual([{ sourceId: 0, targetId: 1 }]);
    const entries = await t.database.db
      .select()
      .from(activityLog)
      .where(and(eq(activityLog.entityId, id), eq(activityLog.activityType, "pipeline_updated")))
      .orderBy(activityLog.createdAt);
    expect(entries).toHaveLength(2);
    const last = entries[1] as { before: { stages: unknown[] }; after: { stages: unknown[] } };
    expect(last.before.stages).toHaveLength(3);
    expect(last.after.stages).toHaveLength(2);
  });

  test("deletePipeline removes it and logs pipeline_deleted", async () => {
    const id = await createPipeline();
    expect(dataOf(await t.gql(DELETE, { id }, org.teamAdmin.token)).deletePipeline).toBe(true);
    expect(codeOf(await t.gql(GET, { id }, org.teamAdmin.token))).toBe("NOT_FOUND");
    const logged = await t.database.db
      .select()
      .from(activityLog)
      .where(and(eq(activityLog.entityId, id), eq(activityLog.activityType, "pipeline_deleted")));
    expect(logged).toHaveLength(1);
  });

  test("every operation needs a session: UNAUTHENTICATED", async () => {
    const id = await createPipeline();
    for (const [query, vars] of operations(id)) expect(codeOf(await t.gql(query, vars))).toBe("UNAUTHENTICATED");
  });

  test("a member of another team gets NOT_FOUND for every operation", async () => {
    const id = await createPipeline();
    for (const [query, vars] of operations(id)) {
      expect(codeOf(await t.gql(query, vars, org.outsider.token))).toBe("NOT_FOUND");
    }
  });

  test("Viewers, Requesters and Approvers read but may not write: FORBIDDEN", async () => {
    const id = await createPipeline();
    for (const member of [org.viewer, org.requester, org.approver]) {
      expect(dataOf(await t.gql(GET, { id }, member.token)).pipeline.id).toBe(id);
      for (const [query, vars] of operations(id).slice(2)) {
        expect(codeOf(await t.gql(query, vars, member.token))).toBe("FORBIDDEN");
      }
    }
  });

  test("a duplicate name in the team is CONFLICT; a name that merely contains another is not", async () => {
    const name = unique("payments");
    await createPipeline(chainInput(name));
    const again = await t.gql(CREATE, { teamId: org.teamA.id, input: chainInput(name) }, org.teamAdmin.token);
    expect(codeOf(again)).toBe("CONFLICT");
    expect(again.errors?.[0].message).toContain("already exists");
    expect(
      (await t.gql(CREATE, { teamId: org.teamA.id, input: chainInput(name.slice(0, -2)) }, org.teamAdmin.token)).errors,
    ).toBeUndefined();
  });

  describe("invalid input is BAD_USER_INPUT naming the field, and nothing is stored", () => {
    const stage = (i: number, overrides: Record<string, unknown> = {}) => ({
      environmentId: envs[i].id,
      orderIndex: i,
      position: String(i),
      ...overrides,
    });
    const cases: [string, () => Record<string, unknown>, string][] = [
      ["a name under 5 characters", () => ({ ...chainInput(), name: "abcd" }), "input.name"],
      ["no stages", () => ({ name: unique("empty"), stages: [], relationships: [] }), "input.stages"],
      [
        "too few relationships",
        () => ({ ...chainInput(), relationships: [{ sourceId: 0, targetId: 1 }] }),
        "input.relationships",
      ],
      [
        "too many relationships",
        () => ({ ...chainInput(unique("p"), envs.slice(0, 1)), relationships: [{ sourceId: 0, targetId: 0 }] }),
        "input.relationships",
      ],
      [
        "an environment twice",
        () => ({ ...chainInput(), stages: [stage(0), stage(1), stage(2, { environmentId: envs[0].id })] }),
        "input.stages[2].environmentId",
      ],
      [
        "an orderIndex twice",
        () => ({ ...chainInput(), stages: [stage(0), stage(1, { orderIndex: 0 }), stage(2)] }),
        "input.stages[1].orderIndex",
      ],
      [
        "a negative orderIndex",
        () => ({ ...chainInput(), stages: [stage(0, { orderIndex: -1 }), stage(1), stage(2)] }),
        "input.stages[0].orderIndex",
      ],
      [
        "an empty position",
        () => ({ ...chainInput(), stages: [stage(0, { position: " " }), stage(1), stage(2)] }),
        "input.stages[0].position",
      ],
      [
        "an environment id that is not a UUID",
        () => ({ ...chainInput(), stages: [stage(0, { environmentId: "dev" }), stage(1), stage(2)] }),
        "input.stages[0].environmentId",
      ],
      [
        "another team's environment",
        () => ({ ...chainInput(), stages: [stage(0, { environmentId: otherTeamEnv }), stage(1), stage(2)] }),
        "input.stages[0].environmentId",
      ],
      [
        "a relationship from an unknown orderIndex",
        () => ({
          ...chainInput(),
          relationships: [
            { sourceId: 7, targetId: 1 },
            { sourceId: 1, targetId: 2 },
          ],
        }),
        "input.relationships[0].sourceId",
      ],
      [
        "a relationship to an unknown orderIndex",
        () => ({
          ...chainInput(),
          relationships: [
            { sourceId: 0, targetId: 1 },
            { sourceId: 1, targetId: 9 },
          ],
        }),
        "input.relationships[1].targetId",
      ],
      [
        "a stage with two parents",
        () => ({
          ...chainInput(),
          relationships: [
            { sourceId: 0, targetId: 2 },
            { sourceId: 1, targetId: 2 },
          ],
        }),
        "input.relationships[1].targetId",
      ],
      [
        "a cycle",
        () => ({
          ...chainInput(),
          relationships: [
            { sourceId: 1, targetId: 2 },
            { sourceId: 2, targetId: 1 },
          ],
        }),
        "input.relationships",
      ],
      [
        "a stage after itself",
        () => ({ ...chainInput(unique("p"), envs.slice(0, 2)), relationships: [{ sourceId: 1, targetId: 1 }] }),
        "input.relationships",
      ],
    ];
    for (const [what, input, field] of cases) {
      test(`createPipeline with ${what}`, async () => {
        const before = await pipelineCount();
        const result = await t.gql(CREATE, { teamId: org.teamA.id, input: input() }, org.teamAdmin.token);
        expect(codeOf(result)).toBe("BAD_USER_INPUT");
        expect(result.errors?.[0].extensions?.field).toBe(field);
        expect(await pipelineCount()).toBe(before);
      });
    }

    test("updatePipeline with relationships but no stages, or a cycle, leaves the pipeline as it was", async () => {
      const id = await createPipeline();
      const before = dataOf(await t.gql(GET, { id }, org.viewer.token)).pipeline;
      const orphan = await t.gql(UPDATE, { id, input: { relationships: [] } }, org.teamAdmin.token);
      expect(orphan.errors?.[0].extensions?.field).toBe("input.relationships");
      const cycle = await t.gql(
        UPDATE,
        {
          id,
          input: {
            name: unique("x"),
            stages: chainInput().stages,
            relationships: [
              { sourceId: 1, targetId: 2 },
              { sourceId: 2, targetId: 1 },
            ],
          },
        },
        org.teamAdmin.token,
      );
      expect(codeOf(cycle)).toBe("BAD_USER_INPUT");
      expect(dataOf(await t.gql(GET, { id }, org.viewer.token)).pipeline).toEqual(before);
    });
  });
});

/** Every operation on the pipeline `id`: the two reads first, then the writes. */
function operations(id: string): [string, Record<string, unknown>][] {
  return [
    [GET, { id }],
    [LIST, { teamId: org.teamA.id }],
    [CREATE, { teamId: org.teamA.id, input: chainInput() }],
    [UPDATE, { id, input: { name: unique("denied") } }],
    [DELETE, { id }],
  ];
}
