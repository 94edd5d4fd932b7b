/** previewEvaluation over GraphQL: what the engine answers for the stored flag, with its trace. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { evaluate, type Flag } from "@fluxgate/engine";
import { createFeature, type FeatureWorld, getFeature, stageIn, startFeatureWorld } from "./features-fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

let world: FeatureWorld;
beforeAll(async () => {
  world = await startFeatureWorld();
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await world?.server.stop();
});

const PREVIEW = `query($f: ID!, $e: ID!, $ctx: JSON!) {
  previewEvaluation(featureId: $f, environmentId: $e, context: $ctx) { enabled value variant reason ruleId errorCode trace }
}`;
const SET_RULES = `mutation($id: ID!, $rules: [StageRuleInput!]!) { setStageRules(stageId: $id, rules: $rules) { id } }`;

async function preview(featureId: string, environmentId: string, ctx: unknown, token = world.viewer.token) {
  return dataOf(await world.gql(PREVIEW, { f: featureId, e: environmentId, ctx }, token)).previewEvaluation;
}

async function deploy(featureId: string, environmentId = world.dev): Promise<string> {
  const stageId = stageIn(await getFeature(world, featureId), environmentId).id;
  dataOf(
    await world.gql(
      `mutation($id: ID!) { requestStageChange(stageId: $id, request: DEPLOYED) { id } }`,
      { id: stageId },
      world.requester.token,
    ),
  );
  return stageId;
}

describe("previewEvaluation", () => {
  test("answers on (STATIC) where the stage is deployed without rules, off (DISABLED) where it is not", async () => {
    const id = await createFeature(world);
    await deploy(id);
    const on = await preview(id, world.dev, {});
    expect(on).toMatchObject({ enabled: true, value: true, variant: "on", reason: "STATIC", ruleId: null });
    expect(on.trace).toContainEqual({ step: "stage", found: true, deployed: true, rules: 0 });
    expect(await preview(id, world.prod, {})).toMatchObject({ enabled: false, value: false, reason: "DISABLED" });
  });

  test("agrees with the engine evaluating the same flag written by hand, for many users", async () => {
    const id = await createFeature(world, {
      valueType: "STRING",
      variants: [
        { key: "blue", value: "#00f" },
        { key: "red", value: "#f00" },
      ],
      defaultVariant: "blue",
      offVariant: "red",
    });
    const stageId = await deploy(id);
    const rules = [
      {
        groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: ["US", "CA"] }] }],
        rollout: 50,
        serve: {
          kind: "SPLIT",
          weights: [
            { variant: "blue", weight: 1 },
            { variant: "red", weight: 3 },
          ],
        },
      },
    ];
    const [rule] = dataOf(await world.gql(SET_RULES, { id: stageId, rules }, world.requester.token)).setStageRules;
    const { key } = await getFeature(world, id);
    const flag: Flag = {
      key,
      salt: key,
      valueType: "string",
      variants: [
        { key: "blue", value: "#00f", weight: 0 },
        { key: "red", value: "#f00", weight: 0 },
      ],
      defaultVariant: "blue",
      offVariant: "red",
      killed: false,
      dependencies: [],
      stages: [
        {
          environmentId: world.dev,
          deployed: true,
          rules: [
            {
              id: rule.id,
              groupsOperator: "AND",
              groups: [
                { operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: ["US", "CA"] }] },
              ],
              rollout: 50,
              serve: {
                kind: "split",
                weights: [
                  { variant: "blue", weight: 1 },
                  { variant: "red", weight: 3 },
                ],
              },
            },
          ],
        },
      ],
    };
    const reasons = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const ctx = { targetingKey: `user-${i}`, country: i % 5 === 0 ? "FR" : "US" };
      const { trace: _, ...got } = await preview(id, world.dev, ctx);
      const expected = evaluate(flag, world.dev, ctx);
      expect(got).toEqual({ ruleId: null, errorCode: null, ...expected });
      reasons.add(got.reason);
    }
    expect([...reasons].sort()).toEqual(["DEFAULT", "SPLIT"]);
  });

  test("traces a kill and a failed dependency", async () => {
    const killed = await createFeature(world);
    await deploy(killed);
    dataOf(
      await world.gql(
        `mutation($id: ID!) { emergencyDisableFeature(id: $id) { id } }`,
        { id: killed },
        world.approver.token,
      ),
    );
    const off = await preview(killed, world.dev, {});
    expect(off).toMatchObject({ enabled: false, reason: "DISABLED" });
    expect(off.trace).toEqual([{ step: "killed" }]);
    const base = await createFeature(world);
    const dependent = await createFeature(world, { dependencies: [base] });
    await deploy(dependent);
    const blocked = await preview(dependent, world.dev, {});
    expect(blocked).toMatchObject({ enabled: false, reason: "PREREQUISITE_FAILED" });
    expect(blocked.trace[0]).toMatchObject({ step: "dependency", satisfied: false });
    await deploy(base);
    expect(await preview(dependent, world.dev, {})).toMatchObject({ enabled: true, reason: "STATIC" });
  });

  test("refuses a context that is not an object, and another team's or a malformed environment", async () => {
    const id = await createFeature(world);
    const notObject = await world.gql(PREVIEW, { f: id, e: world.dev, ctx: ["user-1"] }, world.viewer.token);
    expect(notObject.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "context" });
    expect(codeOf(await world.gql(PREVIEW, { f: id, e: world.otherEnv, ctx: {} }, world.viewer.token))).toBe(
      "NOT_FOUND",
    );
    expect(codeOf(await world.gql(PREVIEW, { f: id, e: "dev", ctx: {} }, world.viewer.token))).toBe("BAD_USER_INPUT");
  });

  test("is for members of the feature's team", async () => {
    const id = await createFeature(world);
    expect(codeOf(await world.gql(PREVIEW, { f: id, e: world.dev, ctx: {} }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(PREVIEW, { f: id, e: world.dev, ctx: {} }, world.outsider.token))).toBe("NOT_FOUND");
  });
});
