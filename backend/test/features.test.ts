/** Features over GraphQL: create, read, list, update (deployed stages stay on), delete (DELETE on the feed). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { batchLoader } from "../src/features/loaders";
import {
  activitiesOf,
  CREATE_FEATURE,
  changesOf,
  createFeature,
  FEATURE_FIELDS,
  type FeatureWorld,
  featureInput,
  getFeature,
  insertEnvironment,
  stageIn,
  startFeatureWorld,
} from "./features-fixtures";
import { unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

let world: FeatureWorld;
beforeAll(async () => {
  world = await startFeatureWorld();
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await world?.server.stop();
});

const UPDATE = `mutation($id: ID!, $input: UpdateFeatureInput!) { updateFeature(id: $id, input: $input) { ${FEATURE_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteFeature(id: $id) }`;
const DEPLOY = `mutation($id: ID!, $r: StageChangeRequest!) { requestStageChange(stageId: $id, request: $r) { id } }`;
const COUNT = `query($teamId: ID) { featuresCount(teamId: $teamId) }`;

async function count(teamId = world.teamA.id): Promise<number> {
  return dataOf(await world.gql(COUNT, { teamId }, world.admin.token)).featuresCount;
}

describe("createFeature", () => {
  test("creates a boolean feature whose stages start NOT_DEPLOYED and off, with its salt, links, audit and change", async () => {
    const input = featureInput(world, { description: "checkout v2", owner: "payments", tags: ["web", "web", "q3"] });
    const result = await world.gql(CREATE_FEATURE, { teamId: world.teamA.id, input }, world.requester.token);
    const id = dataOf(result).createFeature;
    const feature = await getFeature(world, id);
    expect(feature).toMatchObject({
      key: input.key,
      salt: input.key,
      teamId: world.teamA.id,
      description: "checkout v2",
      featureType: "SIMPLE",
      valueType: "BOOLEAN",
      owner: "payments",
      tags: ["web", "q3"],
      sticky: true,
      enabled: null,
      killSwitchEnabled: true,
      killSwitchActivatedAt: null,
      rollbackScheduledAt: null,
      dependencies: [],
      variants: [],
      relationships: [{ sourceId: 0, targetId: 1 }],
    });
    expect(feature.stages.map((s: { orderIndex: number }) => s.orderIndex)).toEqual([0, 1]);
    for (const stage of feature.stages) expect(stage).toMatchObject({ status: "NOT_DEPLOYED", enabled: false });
    expect(stageIn(feature, world.dev)).toMatchObject({
      environment: { id: world.dev, name: "dev" },
      requiresApproval: false,
    });
    expect(stageIn(feature, world.prod).parentStageId).toBe(stageIn(feature, world.dev).id);
    expect((await activitiesOf(world.server, id)).map((a) => a.activityType)).toEqual(["feature_created"]);
    expect((await changesOf(world.server, id)).map((c) => [c.kind, c.entity, c.key])).toEqual([
      ["UPSERT", "feature", input.key as string],
    ]);
  });

  test("creates a string feature with variants, default and off variants", async () => {
    const id = await createFeature(world, {
      featureType: "CONTEXTUAL",
      valueType: "STRING",
      variants: [
        { key: "blue", value: "#00f", weight: 1, description: "cool" },
        { key: "red", value: "#f00", weight: 3 },
      ],
      defaultVariant: "blue",
      offVariant: "red",
    });
    expect(await getFeature(world, id)).toMatchObject({
      featureType: "CONTEXTUAL",
      valueType: "STRING",
      defaultVariant: "blue",
      offVariant: "red",
      variants: [
        { key: "blue", value: "#00f", weight: 1, description: "cool" },
        { key: "red", value: "#f00", weight: 3, description: null },
      ],
    });
  });

  test("stores dependencies given as ids and as features with a required variant", async () => {
    const plain = await createFeature(world);
    const colour = await createFeature(world, {
      valueType: "STRING",
      variants: [{ key: "a", value: "A" }],
    });
    const id = await createFeature(world, { dependencies: [plain], dependsOn: [{ featureId: colour, variant: "a" }] });
    const feature = await getFeature(world, id);
    expect(feature.dependencies.sort()).toEqual([plain, colour].sort());
    expect(feature.dependsOn).toContainEqual({ featureId: colour, key: expect.any(String), variant: "a" });
    expect(feature.dependsOn).toContainEqual({ featureId: plain, key: expect.any(String), variant: null });
  });

  test("refuses a key already used in the team with CONFLICT, but a key that merely starts the same is fine", async () => {
    const key = unique("payments");
    await createFeature(world, { key });
    const again = await world.gql(
      CREATE_FEATURE,
      { teamId: world.teamA.id, input: featureInput(world, { key }) },
      world.requester.token,
    );
    expect(codeOf(again)).toBe("CONFLICT");
    expect(again.errors?.[0].message).toContain("already exists");
    await createFeature(world, { key: key.slice(0, key.length - 2) });
  });

  test("the same key may exist in another team", async () => {
    const key = unique("shared");
    await createFeature(world, { key });
    const other = await world.gql(
      CREATE_FEATURE,
      {
        teamId: world.teamB.id,
        input: { key, featureType: "SIMPLE", stages: [{ environmentId: world.otherEnv, orderIndex: 0 }] },
      },
      world.outsider.token,
    );
    expect(dataOf(other).createFeature).toBeString();
  });

  test("needs authentication", async () => {
    const result = await world.gql(CREATE_FEATURE, { teamId: world.teamA.id, input: featureInput(world) });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });

  test("another team's member gets NOT_FOUND and a Viewer FORBIDDEN; nothing is stored", async () => {
    const before = await count();
    const outsider = await world.gql(
      CREATE_FEATURE,
      { teamId: world.teamA.id, input: featureInput(world) },
      world.outsider.token,
    );
    expect(codeOf(outsider)).toBe("NOT_FOUND");
    const viewer = await world.gql(
      CREATE_FEATURE,
      { teamId: world.teamA.id, input: featureInput(world) },
      world.viewer.token,
    );
    expect(codeOf(viewer)).toBe("FORBIDDEN");
    expect(await count()).toBe(before);
  });

  const invalid: [string, (w: FeatureWorld) => Record<string, unknown>, string][] = [
    ["a key shorter than 3 characters", () => ({ key: "ab" }), "input.key"],
    ["a key with a space", () => ({ key: "bad key" }), "input.key"],
    ["a key longer than 100 characters", () => ({ key: "k".repeat(101) }), "input.key"],
    ["no stages", () => ({ stages: [], relationships: [] }), "input.stages"],
    [
      "two stages in one environment",
      (w) => ({
        stages: [
          { environmentId: w.dev, orderIndex: 0 },
          { environmentId: w.dev, orderIndex: 1 },
        ],
        relationships: [],
      }),
      "input.stages[1].environmentId",
    ],
    [
      "two stages with one orderIndex",
      (w) => ({
        stages: [
          { environmentId: w.dev, orderIndex: 0 },
          { environmentId: w.prod, orderIndex: 0 },
        ],
        relationships: [],
      }),
      "input.stages[1].orderIndex",
    ],
    [
      "an environment of another team",
      (w) => ({ stages: [{ environmentId: w.otherEnv, orderIndex: 0 }], relationships: [] }),
      "input.stages[0].environmentId",
    ],
    [
      "a relationship to no stage",
      () => ({ relationships: [{ sourceId: 0, targetId: 7 }] }),
      "input.relationships[0].targetId",
    ],
    [
      "relationships forming a cycle",
      () => ({
        relationships: [
          { sourceId: 0, targetId: 1 },
          { sourceId: 1, targetId: 0 },
        ],
      }),
      "input.relationships",
    ],
    ["a string feature without variants", () => ({ valueType: "STRING" }), "input.variants"],
    [
      "a variant value of the wrong type",
      () => ({ valueType: "NUMBER", variants: [{ key: "n", value: "ten" }] }),
      "input.variants[0].value",
    ],
    [
      "an unknown default variant",
      () => ({ valueType: "STRING", variants: [{ key: "a", value: "A" }], defaultVariant: "b" }),
      "input.defaultVariant",
    ],
    [
      "two variants with one key",
      () => ({
        valueType: "STRING",
        variants: [
          { key: "a", value: "A" },
          { key: "a", value: "B" },
        ],
      }),
      "input.variants[1].key",
    ],
    ["variants on a boolean feature", () => ({ variants: [{ key: "on", value: true }] }), "input.variants"],
    [
      "a negative variant weight",
      () => ({ valueType: "JSON", variants: [{ key: "a", value: {}, weight: -1 }] }),
      "input.variants[0].weight",
    ],
    ["a dependency that is not a UUID", () => ({ dependencies: ["nope"] }), "input.dependencies[0]"],
    [
      "a dependency on an unknown feature",
      () => ({ dependencies: ["00000000-0000-4000-8000-000000000000"] }),
      "input.dependencies[0]",
    ],
  ];
  for (const [what, input, field] of invalid) {
    test(`refuses ${what} with BAD_USER_INPUT naming ${field}, storing nothing`, async () => {
      const before = await count();
      const result = await world.gql(
        CREATE_FEATURE,
        { teamId: world.teamA.id, input: featureInput(world, input(world)) },
        world.requester.token,
      );
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0].extensions?.field).toBe(field);
      expect(await count()).toBe(before);
    });
  }

  test("refuses a dependency on another team's feature and on a variant the feature lacks", async () => {
    const theirs = dataOf(
      await world.gql(
        CREATE_FEATURE,
        {
          teamId: world.teamB.id,
          input: {
            key: unique("theirs"),
            featureType: "SIMPLE",
            stages: [{ environmentId: world.otherEnv, orderIndex: 0 }],
          },
        },
        world.outsider.token,
      ),
    ).createFeature;
    const foreign = await world.gql(
      CREATE_FEATURE,
      { teamId: world.teamA.id, input: featureInput(world, { dependencies: [theirs] }) },
      world.requester.token,
    );
    expect(foreign.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.dependencies[0]" });
    const boolean = await createFeature(world);
    const variant = await world.gql(
      CREATE_FEATURE,
      { teamId: world.teamA.id, input: featureInput(world, { dependsOn: [{ featureId: boolean, variant: "blue" }] }) },
      world.requester.token,
    );
    expect(variant.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.dependsOn[0]" });
    expect(variant.errors?.[0].message).toContain('no variant "blue"');
  });
});

describe("feature, features and featuresCount", () => {
  test("feature(id) answers members of the team, NOT_FOUND to others, BAD_USER_INPUT to a malformed id", async () => {
    const id = await createFeature(world);
    expect((await getFeature(world, id)).id).toBe(id);
    const get = `query($id: ID!) { feature(id: $id) { id } }`;
    expect(codeOf(await world.gql(get, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(get, { id: "nope" }, world.viewer.token))).toBe("BAD_USER_INPUT");
    expect(codeOf(await world.gql(get, { id }))).toBe("UNAUTHENTICATED");
  });

  test("features pages over features (not stage rows), filters by case-insensitive key prefix and type", async () => {
    const prefix = unique("list");
    for (const suffix of ["a", "b", "c"]) await createFeature(world, { key: `${prefix}-${suffix}` });
    await createFeature(world, { key: `x${prefix}`, featureType: "CONTEXTUAL" });
    await createFeature(world, { key: `${prefix}-d`, featureType: "CONTEXTUAL" });
    const list = `query($teamId: ID!, $name: String, $type: FeatureType, $n: Int, $s: Int) {
      features(teamId: $teamId, name: $name, featureType: $type, pageNumber: $n, pageSize: $s) {
        items { key stages { status environment { name } } } pageNumber pageSize total
      }
    }`;
    const first = dataOf(
      await world.gql(list, { teamId: world.teamA.id, name: prefix.toUpperCase(), n: 1, s: 2 }, world.viewer.token),
    ).features;
    expect(first).toMatchObject({ pageNumber: 1, pageSize: 2, total: 4 });
    expect(first.items.map((f: { key: string }) => f.key)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(first.items[0].stages.map((s: { environment: { name: string } }) => s.environment.name)).toEqual([
      "dev",
      "prod",
    ]);
    const last = dataOf(
      await world.gql(list, { teamId: world.teamA.id, name: prefix, n: 2, s: 3 }, world.viewer.token),
    ).features;
    expect(last.items.map((f: { key: string }) => f.key)).toEqual([`${prefix}-d`]);
    const typed = dataOf(
      await world.gql(list, { teamId: world.teamA.id, name: prefix, type: "CONTEXTUAL" }, world.viewer.token),
    ).features;
    expect(typed.items.map((f: { key: string }) => f.key)).toEqual([`${prefix}-d`]);
    const exact = dataOf(
      await world.gql(list, { teamId: world.teamA.id, name: `${prefix}-c` }, world.viewer.token),
    ).features;
    expect(exact.total).toBe(1);
    expect(codeOf(await world.gql(list, { teamId: world.teamA.id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(list, { teamId: world.teamA.id }))).toBe("UNAUTHENTICATED");
  });

  test("featuresCount counts a team, or every team the caller can read", async () => {
    const teamA = await count(world.teamA.id);
    const teamB = await count(world.teamB.id);
    expect(dataOf(await world.gql(COUNT, {}, world.admin.token)).featuresCount).toBeGreaterThanOrEqual(teamA + teamB);
    expect(dataOf(await world.gql(COUNT, {}, world.viewer.token)).featuresCount).toBe(await count(world.teamA.id));
    expect(codeOf(await world.gql(COUNT, { teamId: world.teamA.id }, world.outsider.token))).toBe("NOT_FOUND");
  });

  test("a page costs the same number of queries whatever the number of items (no N+1)", async () => {
    const prefix = unique("batch");
    for (const suffix of ["a", "b", "c", "d"]) await createFeature(world, { key: `${prefix}-${suffix}` });
    const list = `query($teamId: ID!, $name: String, $s: Int) {
      features(teamId: $teamId, name: $name, pageNumber: 1, pageSize: $s) {
        items { key variants { key } dependsOn { key } relationships { sourceId }
          stages { status requiresApproval environment { name } rules { id } criteria { id } } }
      }
    }`;
    const deps = world.server.backend.deps;
    const selectsFor = async (pageSize: number) => {
      const real = deps.db;
      let selects = 0;
      deps.db = new Proxy(real, {
        get(target, prop, receiver) {
          if (prop === "select") selects++;
          return Reflect.get(target, prop, receiver);
        },
      });
      try {
        const page = dataOf(
          await world.gql(list, { teamId: world.teamA.id, name: prefix, s: pageSize }, world.viewer.token),
        );
        expect(page.features.items).toHaveLength(pageSize);
      } finally {
        deps.db = real;
      }
      return selects;
    };
    const [one, four] = [await selectsFor(1), await selectsFor(4)];
    expect(one).toBeGreaterThan(5);
    expect(four).toBe(one);
  });

  test("list fields load in one batch per field, whatever the number of items", async () => {
    const fetched: string[][] = [];
    const load = batchLoader(async (keys) => {
      fetched.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    }, "");
    expect(await Promise.all(["a", "b", "a", "c"].map((k) => load(k)))).toEqual(["A", "B", "A", "C"]);
    expect(fetched).toEqual([["a", "b", "c"]]);
  });
});

describe("updateFeature", () => {
  test("replaces the definition but keeps deployed stages deployed and on, and the salt", async () => {
    const key = unique("keep");
    const id = await createFeature(world, { key });
    const created = await getFeature(world, id);
    dataOf(await world.gql(DEPLOY, { id: stageIn(created, world.dev).id, r: "DEPLOYED" }, world.requester.token));
    const input = featureInput(world, {
      key: `${key}-renamed`,
      description: "now with a description",
      featureType: "CONTEXTUAL",
      stages: [
        { environmentId: world.dev, orderIndex: 1, position: "moved", bucketingKey: "accountId" },
        { environmentId: world.prod, orderIndex: 0 },
      ],
      relationships: [{ sourceId: 0, targetId: 1 }],
    });
    const updated = dataOf(await world.gql(UPDATE, { id, input }, world.requester.token)).updateFeature;
    expect(updated).toMatchObject({
      key: `${key}-renamed`,
      salt: key,
      description: "now with a description",
      featureType: "CONTEXTUAL",
    });
    expect(stageIn(updated, world.dev)).toMatchObject({
      id: stageIn(created, world.dev).id,
      status: "DEPLOYED",
      enabled: true,
      orderIndex: 1,
      position: "moved",
      bucketingKey: "accountId",
      parentStageId: stageIn(created, world.prod).id,
    });
    expect(stageIn(updated, world.prod)).toMatchObject({
      id: stageIn(created, world.prod).id,
      status: "NOT_DEPLOYED",
      enabled: false,
    });
    expect(updated.relationships).toEqual([{ sourceId: 0, targetId: 1 }]);
    const audit = (await activitiesOf(world.server, id)).find((a) => a.activityType === "feature_updated");
    expect(audit?.before).toMatchObject({ key });
    expect(audit?.after).toMatchObject({ key: `${key}-renamed` });
    expect((await changesOf(world.server, id)).at(-1)).toMatchObject({ kind: "UPSERT", key: `${key}-renamed` });
  });

  test("deletes stages left out and adds new ones NOT_DEPLOYED", async () => {
    const staging = await insertEnvironment(world.server, world.teamA.id, unique("staging"), false);
    const id = await createFeature(world);
    const created = await getFeature(world, id);
    dataOf(await world.gql(DEPLOY, { id: stageIn(created, world.dev).id, r: "DEPLOYED" }, world.requester.token));
    const input = featureInput(world, {
      key: created.key,
      stages: [
        { id: stageIn(created, world.dev).id, environmentId: world.dev, orderIndex: 0 },
        { environmentId: staging, orderIndex: 1 },
      ],
    });
    const updated = dataOf(await world.gql(UPDATE, { id, input }, world.requester.token)).updateFeature;
    expect(updated.stages.map((s: { environmentId: string }) => s.environmentId)).toEqual([world.dev, staging]);
    expect(stageIn(updated, world.dev)).toMatchObject({ status: "DEPLOYED", enabled: true });
    expect(stageIn(updated, staging)).toMatchObject({ status: "NOT_DEPLOYED", enabled: false });
  });

  test("fields left out keep their value, null clears them", async () => {
    const id = await createFeature(world, { owner: "team-x", tags: ["a"], description: "d", sticky: false });
    const { key } = await getFeature(world, id);
    const kept = dataOf(
      await world.gql(UPDATE, { id, input: featureInput(world, { key }) }, world.requester.token),
    ).updateFeature;
    expect(kept).toMatchObject({ owner: "team-x", tags: ["a"], description: "d", sticky: false });
    const cleared = dataOf(
      await world.gql(
        UPDATE,
        { id, input: featureInput(world, { key, owner: null, description: null, tags: [] }) },
        world.requester.token,
      ),
    ).updateFeature;
    expect(cleared).toMatchObject({ owner: null, tags: [], description: null });
  });

  test("refuses a stage of another feature, and moving a stage to another environment", async () => {
    const id = await createFeature(world);
    const other = await getFeature(world, await createFeature(world));
    const { key, stages } = await getFeature(world, id);
    const foreign = await world.gql(
      UPDATE,
      {
        id,
        input: featureInput(world, {
          key,
          stages: [{ id: other.stages[0].id, environmentId: world.dev, orderIndex: 0 }],
          relationships: [],
        }),
      },
      world.requester.token,
    );
    expect(foreign.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.stages[0].id" });
    const moved = await world.gql(
      UPDATE,
      {
        id,
        input: featureInput(world, {
          key,
          stages: [{ id: stageIn({ stages }, world.dev).id, environmentId: world.prod, orderIndex: 0 }],
          relationships: [],
        }),
      },
      world.requester.token,
    );
    expect(moved.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.stages[0].environmentId",
    });
    expect((await getFeature(world, id)).stages).toEqual(stages);
  });

  test("refuses a dependency cycle and a dependency on itself, changing nothing", async () => {
    const a = await createFeature(world);
    const b = await createFeature(world, { dependencies: [a] });
    const c = await createFeature(world, { dependencies: [b] });
    const { key } = await getFeature(world, a);
    const cycle = await world.gql(
      UPDATE,
      { id: a, input: featureInput(world, { key, dependencies: [c] }) },
      world.requester.token,
    );
    expect(cycle.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.dependencies[0]" });
    expect(cycle.errors?.[0].message).toContain("cycle");
    const self = await world.gql(
      UPDATE,
      { id: a, input: featureInput(world, { key, dependencies: [a] }) },
      world.requester.token,
    );
    expect(self.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.dependencies[0]" });
    expect((await getFeature(world, a)).dependencies).toEqual([]);
  });

  test("a rename re-announces the features that depend on it (edges name dependencies by key)", async () => {
    const base = await createFeature(world);
    const dependent = await createFeature(world, { dependencies: [base] });
    const before = (await changesOf(world.server, dependent)).length;
    const { key } = await getFeature(world, base);
    dataOf(
      await world.gql(UPDATE, { id: base, input: featureInput(world, { key: `${key}-2` }) }, world.requester.token),
    );
    expect((await changesOf(world.server, dependent)).length).toBe(before + 1);
  });

  test("refuses with CONFLICT to remove a variant another feature requires", async () => {
    const colour = await createFeature(world, {
      valueType: "STRING",
      variants: [
        { key: "a", value: "A" },
        { key: "b", value: "B" },
      ],
    });
    await createFeature(world, { dependsOn: [{ featureId: colour, variant: "b" }] });
    const { key } = await getFeature(world, colour);
    const result = await world.gql(
      UPDATE,
      { id: colour, input: featureInput(world, { key, variants: [{ key: "a", value: "A" }] }) },
      world.requester.token,
    );
    expect(codeOf(result)).toBe("CONFLICT");
    expect((await getFeature(world, colour)).variants).toHaveLength(2);
  });

  test("refuses to drop a variant that a kept stage's rule serves, naming the stage", async () => {
    const id = await createFeature(world, {
      valueType: "STRING",
      variants: [
        { key: "a", value: "A" },
        { key: "b", value: "B" },
      ],
    });
    const { key, stages } = await getFeature(world, id);
    const rules = [{ serve: { kind: "VARIANT", variant: "b" } }];
    const setRules = `mutation($id: ID!, $rules: [StageRuleInput!]!) { setStageRules(stageId: $id, rules: $rules) { id } }`;
    dataOf(await world.gql(setRules, { id: stageIn({ stages }, world.dev).id, rules }, world.requester.token));
    const input = featureInput(world, { key, variants: [{ key: "a", value: "A" }] });
    const result = await world.gql(UPDATE, { id, input }, world.requester.token);
    expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.stages[0]" });
    expect(result.errors?.[0].message).toContain('rules[0].serve.variant: unknown variant "b"');
    expect((await getFeature(world, id)).variants).toHaveLength(2);
  });

  test("refuses a key taken in the team with CONFLICT", async () => {
    const taken = (await getFeature(world, await createFeature(world))).key;
    const id = await createFeature(world);
    const result = await world.gql(UPDATE, { id, input: featureInput(world, { key: taken }) }, world.requester.token);
    expect(codeOf(result)).toBe("CONFLICT");
  });

  test("needs authentication, membership (NOT_FOUND) and at least Requester (FORBIDDEN)", async () => {
    const id = await createFeature(world);
    const input = featureInput(world);
    expect(codeOf(await world.gql(UPDATE, { id, input }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(UPDATE, { id, input }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(UPDATE, { id, input }, world.viewer.token))).toBe("FORBIDDEN");
    expect(
      codeOf(await world.gql(UPDATE, { id, input: featureInput(world, { key: "x" }) }, world.requester.token)),
    ).toBe("BAD_USER_INPUT");
  });
});

describe("deleteFeature", () => {
  test("deletes the feature, logs it and sends edges a DELETE", async () => {
    const id = await createFeature(world);
    const { key } = await getFeature(world, id);
    expect(dataOf(await world.gql(DELETE, { id }, world.requester.token)).deleteFeature).toBe(true);
    expect(codeOf(await world.gql(`query($id: ID!) { feature(id: $id) { id } }`, { id }, world.viewer.token))).toBe(
      "NOT_FOUND",
    );
    expect((await changesOf(world.server, id)).at(-1)).toMatchObject({ kind: "DELETE", entity: "feature", key });
    expect((await activitiesOf(world.server, id)).at(-1)).toMatchObject({ activityType: "feature_deleted" });
  });

  test("is refused with CONFLICT naming the features that depend on it", async () => {
    const base = await createFeature(world);
    const dependent = await createFeature(world, { dependencies: [base] });
    const result = await world.gql(DELETE, { id: base }, world.requester.token);
    expect(codeOf(result)).toBe("CONFLICT");
    expect(result.errors?.[0].message).toContain((await getFeature(world, dependent)).key);
    expect((await getFeature(world, base)).id).toBe(base);
  });

  test("needs authentication, membership (NOT_FOUND) and at least Requester (FORBIDDEN)", async () => {
    const id = await createFeature(world);
    expect(codeOf(await world.gql(DELETE, { id }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(DELETE, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(DELETE, { id }, world.viewer.token))).toBe("FORBIDDEN");
    expect(codeOf(await world.gql(DELETE, { id: "not-a-uuid" }, world.requester.token))).toBe("BAD_USER_INPUT");
    expect((await getFeature(world, id)).id).toBe(id);
  });
});
