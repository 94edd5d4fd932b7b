/** Targeting over GraphQL: the original's criteria, ordered rules checked by the engine, and the bucketing key. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  activitiesOf,
  changesOf,
  createFeature,
  type FeatureWorld,
  getFeature,
  insertContext,
  stageIn,
  startFeatureWorld,
} from "./features-fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

let world: FeatureWorld;
let countries: string;
let segments: string;
let foreignContext: string;
beforeAll(async () => {
  world = await startFeatureWorld();
  [countries, segments, foreignContext] = await Promise.all([
    insertContext(world.server, world.teamA.id, ["US", "CA"]),
    insertContext(world.server, world.teamA.id, ["beta"]),
    insertContext(world.server, world.teamB.id, ["x"]),
  ]);
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await world?.server.stop();
});

const CRITERION_FIELDS = "id stageId contextKey contextId rolloutPercentage context { id key values }";
const GET_CRITERIA = `query($id: ID!) { getStageCriteria(stageId: $id) { ${CRITERION_FIELDS} } }`;
const SET_CRITERIA = `mutation($id: ID!, $criteria: [CreateStageCriterionInput!]!) {
  setStageCriteria(stageId: $id, criteria: $criteria) { ${CRITERION_FIELDS} }
}`;
const RULE_FIELDS = `id stageId priority groupsOperator rollout serve { kind variant weights { variant weight } }
  groups { operator conditions { contextKey operator values contextId negate caseInsensitive context { key } } }`;
const GET_RULES = `query($id: ID!) { stageRules(stageId: $id) { ${RULE_FIELDS} } }`;
const SET_RULES = `mutation($id: ID!, $rules: [StageRuleInput!]!) { setStageRules(stageId: $id, rules: $rules) { ${RULE_FIELDS} } }`;
const UPDATE_STAGE = `mutation($id: ID!, $input: UpdateStageInput!) { updateStage(stageId: $id, input: $input) { id bucketingKey } }`;

/** The dev stage id of a new feature (a string feature with variants blue/red when `variants`). */
async function newStage(variants = false): Promise<string> {
  const id = await createFeature(
    world,
    variants
      ? {
          valueType: "STRING",
          variants: [
            { key: "blue", value: "#00f", weight: 1 },
            { key: "red", value: "#f00", weight: 1 },
          ],
          defaultVariant: "blue",
        }
      : {},
  );
  const stageId = stageIn(await getFeature(world, id), world.dev).id;
  featureOf.set(stageId, id);
  return stageId;
}

/** Stage id → id of its feature, for the stages `newStage` made. */
const featureOf = new Map<string, string>();

const condition = (overrides: Record<string, unknown> = {}) => ({
  contextKey: "country",
  operator: "in",
  values: ["US"],
  ...overrides,
});
const rule = (conditions: Record<string, unknown>[], overrides: Record<string, unknown> = {}) => ({
  groups: [{ operator: "AND", conditions }],
  rollout: 100,
  serve: { kind: "ON" },
  ...overrides,
});

describe("getStageCriteria / setStageCriteria", () => {
  test("a new stage has no criteria", async () => {
    expect(
      dataOf(await world.gql(GET_CRITERIA, { id: await newStage() }, world.viewer.token)).getStageCriteria,
    ).toEqual([]);
  });

  test("replaces the stage's criteria, each becoming a rule 'contextKey in <context>' serving on", async () => {
    const id = await newStage();
    const criteria = [
      { contextKey: "country", contextId: countries, rolloutPercentage: 50 },
      { contextKey: "segment", contextId: segments, rolloutPercentage: 12.5 },
    ];
    const set = dataOf(await world.gql(SET_CRITERIA, { id, criteria }, world.requester.token)).setStageCriteria;
    expect(set).toMatchObject([
      {
        stageId: id,
        contextKey: "country",
        contextId: countries,
        rolloutPercentage: 50,
        context: { values: ["CA", "US"] },
      },
      {
        stageId: id,
        contextKey: "segment",
        contextId: segments,
        rolloutPercentage: 12.5,
        context: { values: ["beta"] },
      },
    ]);
    expect(dataOf(await world.gql(GET_CRITERIA, { id }, world.viewer.token)).getStageCriteria).toEqual(set);
    const rules = dataOf(await world.gql(GET_RULES, { id }, world.viewer.token)).stageRules;
    expect(rules[0]).toMatchObject({
      priority: 0,
      rollout: 50,
      serve: { kind: "ON" },
      groups: [
        { operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: [], contextId: countries }] },
      ],
    });
    const one = dataOf(await world.gql(SET_CRITERIA, { id, criteria: criteria.slice(1) }, world.requester.token));
    expect(one.setStageCriteria).toHaveLength(1);
    expect(dataOf(await world.gql(SET_CRITERIA, { id, criteria: [] }, world.requester.token)).setStageCriteria).toEqual(
      [],
    );
    expect(dataOf(await world.gql(GET_CRITERIA, { id }, world.viewer.token)).getStageCriteria).toEqual([]);
  });

  test("writes an audit entry with before and after and a change for the edges", async () => {
    const id = await newStage();
    const featureId = featureOf.get(id) as string;
    const before = (await changesOf(world.server, featureId)).length;
    dataOf(
      await world.gql(
        SET_CRITERIA,
        { id, criteria: [{ contextKey: "country", contextId: countries, rolloutPercentage: 10 }] },
        world.requester.token,
      ),
    );
    expect((await changesOf(world.server, featureId)).length).toBe(before + 1);
    const audit = (await activitiesOf(world.server, id)).at(-1);
    expect(audit).toMatchObject({ activityType: "criteria_updated", entityType: "stage" });
    expect(audit?.before).toEqual([]);
    expect(audit?.after).toHaveLength(1);
  });

  const invalid: [string, () => Record<string, unknown>, string][] = [
    [
      "a rollout above 100",
      () => ({ contextKey: "country", contextId: countries, rolloutPercentage: 101 }),
      "criteria[0].rolloutPercentage",
    ],
    [
      "an empty context key",
      () => ({ contextKey: " ", contextId: countries, rolloutPercentage: 1 }),
      "criteria[0].contextKey",
    ],
    [
      "a context key over 100 characters",
      () => ({ contextKey: "k".repeat(101), contextId: countries, rolloutPercentage: 1 }),
      "criteria[0].contextKey",
    ],
    [
      "another team's context",
      () => ({ contextKey: "country", contextId: foreignContext, rolloutPercentage: 1 }),
      "criteria[0].contextId",
    ],
  ];
  for (const [what, criterion, field] of invalid) {
    test(`refuses ${what} with BAD_USER_INPUT naming ${field}, keeping the criteria`, async () => {
      const id = await newStage();
      const kept = [{ contextKey: "country", contextId: countries, rolloutPercentage: 5 }];
      dataOf(await world.gql(SET_CRITERIA, { id, criteria: kept }, world.requester.token));
      const result = await world.gql(SET_CRITERIA, { id, criteria: [criterion()] }, world.requester.token);
      expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(dataOf(await world.gql(GET_CRITERIA, { id }, world.viewer.token)).getStageCriteria).toHaveLength(1);
    });
  }

  test("needs authentication, membership (NOT_FOUND) and at least Requester to change (FORBIDDEN)", async () => {
    const id = await newStage();
    const criteria = [{ contextKey: "country", contextId: countries, rolloutPercentage: 5 }];
    expect(codeOf(await world.gql(SET_CRITERIA, { id, criteria }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(SET_CRITERIA, { id, criteria }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(GET_CRITERIA, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(SET_CRITERIA, { id, criteria }, world.viewer.token))).toBe("FORBIDDEN");
    expect(
      codeOf(await world.gql(GET_CRITERIA, { id: "00000000-0000-4000-8000-000000000000" }, world.viewer.token)),
    ).toBe("NOT_FOUND");
  });
});

describe("stageRules / setStageRules", () => {
  test("stores ordered rules with groups, operators, context lists and serves, shown on the stage too", async () => {
    const id = await newStage(true);
    const rules = [
      rule(
        [
          condition({ contextId: countries, values: [] }),
          condition({ contextKey: "plan", operator: "EQUALS", values: ["pro"], negate: true }),
        ],
        {
          groupsOperator: "OR",
          serve: { kind: "VARIANT", variant: "red" },
        },
      ),
      {
        groupsOperator: "AND",
        groups: [
          {
            operator: "OR",
            conditions: [condition({ contextKey: "version", operator: "semver_gte", values: ["2.0.0"] })],
          },
          {
            operator: "AND",
            conditions: [
              condition({
                contextKey: "email",
                operator: "ends_with",
                values: ["@Example.com"],
                caseInsensitive: true,
              }),
            ],
          },
        ],
        rollout: 33.333,
        serve: {
          kind: "SPLIT",
          weights: [
            { variant: "blue", weight: 1 },
            { variant: "red", weight: 3 },
          ],
        },
      },
      { serve: { kind: "SPLIT" } },
    ];
    const set = dataOf(await world.gql(SET_RULES, { id, rules }, world.requester.token)).setStageRules;
    expect(set.map((r: { priority: number }) => r.priority)).toEqual([0, 1, 2]);
    expect(set[0]).toMatchObject({
      groupsOperator: "OR",
      rollout: 100,
      serve: { kind: "VARIANT", variant: "red", weights: [] },
      groups: [
        {
          operator: "AND",
          conditions: [
            {
              contextKey: "country",
              operator: "in",
              values: [],
              contextId: countries,
              negate: false,
              context: { key: expect.any(String) },
            },
            {
              contextKey: "plan",
              operator: "equals",
              values: ["pro"],
              contextId: null,
              negate: true,
              caseInsensitive: false,
            },
          ],
        },
      ],
    });
    expect(set[1]).toMatchObject({
      rollout: 33.333,
      serve: {
        kind: "SPLIT",
        weights: [
          { variant: "blue", weight: 1 },
          { variant: "red", weight: 3 },
        ],
      },
    });
    expect(set[2]).toMatchObject({ groups: [], rollout: 100, serve: { kind: "SPLIT", weights: [] } });
    expect(dataOf(await world.gql(GET_RULES, { id }, world.viewer.token)).stageRules).toEqual(set);
    const feature = dataOf(
      await world.gql(
        `query($id: ID!) { feature(id: $id) { stages { id rules { id } criteria { id } } } }`,
        { id: featureOf.get(id) },
        world.viewer.token,
      ),
    ).feature;
    const stage = feature.stages.find((s: { id: string }) => s.id === id);
    expect(stage.rules.map((r: { id: string }) => r.id)).toEqual(set.map((r: { id: string }) => r.id));
    expect(stage.criteria).toEqual([]);
  });

  const invalid: [string, () => Record<string, unknown>[], string][] = [
    [
      "an unknown operator",
      () => [rule([condition({ operator: "like" })])],
      "rules[0].groups[0].conditions[0].operator",
    ],
    [
      "a bad regex",
      () => [rule([condition({ operator: "regex", values: ["(unclosed"] })])],
      "rules[0].groups[0].conditions[0].values[0]",
    ],
    [
      "a bad semver",
      () => [rule([condition({ operator: "semver_gt", values: ["1.x"] })])],
      "rules[0].groups[0].conditions[0].values[0]",
    ],
    [
      "a bad CIDR",
      () => [rule([condition({ operator: "ip_in_cidr", values: ["10.0.0.0/99"] })])],
      "rules[0].groups[0].conditions[0].values[0]",
    ],
    [
      "two operands for a single-operand operator",
      () => [rule([condition({ operator: "equals", values: ["a", "b"] })])],
      "rules[0].groups[0].conditions[0].values",
    ],
    [
      "a bad operand in a later rule and condition",
      () => [rule([condition()]), rule([condition(), condition(), condition({ operator: "num_gt", values: ["ten"] })])],
      "rules[1].groups[0].conditions[2].values[0]",
    ],
    [
      "a condition without values or context",
      () => [rule([condition({ values: [] })])],
      "rules[0].groups[0].conditions[0].values",
    ],
    ["an empty group", () => [rule([])], "rules[0].groups[0].conditions"],
    ["a rollout above 100", () => [rule([condition()], { rollout: 100.5 })], "rules[0].rollout"],
    ["a rollout with 4 decimals", () => [rule([condition()], { rollout: 12.3456 })], "rules[0].rollout"],
    [
      "serving an unknown variant",
      () => [rule([condition()], { serve: { kind: "VARIANT", variant: "green" } })],
      "rules[0].serve.variant",
    ],
    [
      "serving a variant without naming it",
      () => [rule([condition()], { serve: { kind: "VARIANT" } })],
      "rules[0].serve.variant",
    ],
    [
      "a split with an unknown variant",
      () => [rule([condition()], { serve: { kind: "SPLIT", weights: [{ variant: "green", weight: 1 }] } })],
      "rules[0].serve.weights[0].variant",
    ],
    [
      "a split whose weights total 0",
      () => [rule([condition()], { serve: { kind: "SPLIT", weights: [{ variant: "blue", weight: 0 }] } })],
      "rules[0].serve.weights",
    ],
    [
      "another team's context",
      () => [rule([condition({ contextId: foreignContext, values: [] })])],
      "rules[0].groups[0].conditions[0].contextId",
    ],
    [
      "a context list feeding a regex",
      () => [rule([condition({ operator: "regex", contextId: countries, values: [] })])],
      "rules[0].groups[0].conditions[0].contextId",
    ],
  ];
  for (const [what, rules, field] of invalid) {
    test(`refuses ${what} with BAD_USER_INPUT naming ${field}, keeping the rules`, async () => {
      const id = await newStage(true);
      dataOf(await world.gql(SET_RULES, { id, rules: [rule([condition()])] }, world.requester.token));
      const result = await world.gql(SET_RULES, { id, rules: rules() }, world.requester.token);
      expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      const kept = dataOf(await world.gql(GET_RULES, { id }, world.viewer.token)).stageRules;
      expect(kept).toHaveLength(1);
      expect(kept[0].groups[0].conditions[0]).toMatchObject({ operator: "in", values: ["US"] });
    });
  }

  test("needs authentication, membership (NOT_FOUND) and at least Requester to change (FORBIDDEN)", async () => {
    const id = await newStage();
    const rules = [rule([condition()])];
    expect(codeOf(await world.gql(SET_RULES, { id, rules }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(SET_RULES, { id, rules }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(GET_RULES, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(SET_RULES, { id, rules }, world.viewer.token))).toBe("FORBIDDEN");
    expect(codeOf(await world.gql(GET_RULES, { id: "x" }, world.viewer.token))).toBe("BAD_USER_INPUT");
  });
});

describe("updateStage", () => {
  test("sets and clears the bucketing key, with an audit entry and a change", async () => {
    const id = await newStage();
    const featureId = featureOf.get(id) as string;
    const changes = (await changesOf(world.server, featureId)).length;
    const set = dataOf(
      await world.gql(UPDATE_STAGE, { id, input: { bucketingKey: "accountId" } }, world.requester.token),
    );
    expect(set.updateStage).toEqual({ id, bucketingKey: "accountId" });
    expect(stageIn(await getFeature(world, featureId), world.dev).bucketingKey).toBe("accountId");
    expect((await changesOf(world.server, featureId)).length).toBe(changes + 1);
    expect((await activitiesOf(world.server, id)).at(-1)?.metadata).toMatchObject({ bucketing_key: "accountId" });
    const cleared = dataOf(await world.gql(UPDATE_STAGE, { id, input: { bucketingKey: "" } }, world.requester.token));
    expect(cleared.updateStage.bucketingKey).toBeNull();
  });

  test("refuses a bucketing key over 100 characters, and callers without the right", async () => {
    const id = await newStage();
    const long = await world.gql(UPDATE_STAGE, { id, input: { bucketingKey: "k".repeat(101) } }, world.requester.token);
    expect(long.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.bucketingKey" });
    const input = { bucketingKey: "a" };
    expect(codeOf(await world.gql(UPDATE_STAGE, { id, input }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(UPDATE_STAGE, { id, input }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(UPDATE_STAGE, { id, input }, world.viewer.token))).toBe("FORBIDDEN");
  });
});
