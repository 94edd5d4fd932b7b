import "./dom.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { cleanup, fireEvent, render, within } from "@testing-library/preact";
import { LocationProvider } from "preact-iso/router";
import { me } from "../src/models/session.ts";
import { teams } from "../src/models/teams.ts";
import { FeatureDetailPage } from "../src/pages/feature-detail.tsx";
import { fakeApi, settle } from "./fake-api.ts";

const screen = () => within(document.body);
afterEach(cleanup);

const TEAM = "7d9f0c36-5a0e-4b8e-9c55-3f2c3c1f0a01";
const REQUESTER = "11111111-1111-4111-8111-111111111111";

function stage(id: string, name: string, order: number, patch: Record<string, unknown> = {}) {
  return {
    id,
    orderIndex: order,
    position: String(order),
    parentStageId: order ? "s0" : null,
    bucketingKey: null,
    status: "NOT_DEPLOYED",
    enabled: false,
    requiresApproval: true,
    requestedBy: null,
    requestedAt: null,
    approvedBy: null,
    approvedAt: null,
    environment: { id: `env-${id}`, name },
    rules: [
      {
        id: `rule-${id}`,
        groupsOperator: "AND",
        rollout: 25,
        groups: [
          {
            operator: "AND",
            conditions: [
              {
                contextKey: "country",
                operator: "in",
                values: ["NL"],
                contextId: null,
                negate: false,
                caseInsensitive: false,
              },
            ],
          },
        ],
        serve: { kind: "ON", variant: null, weights: [] },
      },
    ],
    ...patch,
  };
}

const FEATURE = {
  id: "f1",
  teamId: TEAM,
  key: "new-checkout",
  description: "The one-page checkout",
  featureType: "SIMPLE",
  valueType: "BOOLEAN",
  defaultVariant: null,
  offVariant: null,
  owner: null,
  tags: [],
  killSwitchEnabled: true,
  killSwitchActivatedAt: null,
  rollbackScheduledAt: null,
  variants: [],
  dependsOn: [],
  relationships: [{ sourceId: 0, targetId: 1 }],
  stages: [
    stage("s0", "development", 0, {
      status: "DEPLOYMENT_REQUESTED",
      requestedBy: REQUESTER,
      requestedAt: "2026-01-31T12:00:00.000Z",
    }),
    stage("s1", "production", 1),
  ],
};

function signIn(userId: string, role: string) {
  me.value = {
    id: userId,
    username: role.toLowerCase(),
    firstName: role,
    lastName: "User",
    email: "u@example.com",
    isAdmin: false,
    isTemporaryPassword: false,
    memberships: [{ team: { id: TEAM, name: "Checkout" }, role: { id: "r", name: role as never } }],
  };
  teams.set([{ id: TEAM, name: "Checkout", description: "" }]);
}

async function open(userId: string, role: string) {
  const api = fakeApi({
    Feature: { feature: FEATURE },
    FeatureHistory: { e0: { items: [] }, e1: { items: [] }, e2: { items: [] } },
    Contexts: { contexts: { items: [] } },
    Features: { features: { items: [FEATURE] } },
    TeamPeople: { users: { items: [{ id: REQUESTER, username: "rita" }] } },
    RequestStageChange: { requestStageChange: FEATURE },
  });
  signIn(userId, role);
  render(
    <LocationProvider>
      <FeatureDetailPage id="f1" teamId={TEAM} />
    </LocationProvider>,
  );
  for (let i = 0; i < 50 && !screen().queryByRole("heading", { name: "development", level: 2 }); i++) await settle();
  return api;
}

const buttons = () =>
  within(document.querySelector(".stage-actions") as HTMLElement)
    .queryAllByRole("button")
    .map((b) => b.textContent);

describe("stage actions by role on the feature page", () => {
  test("an approver decides someone else's request", async () => {
    const { calls } = await open("22222222-2222-4222-8222-222222222222", "Approver");
    expect(buttons()).toEqual(["Approve deployment", "Reject deployment"]);
    expect(screen().getByText(/by rita/)).toBeTruthy();
    fireEvent.click(screen().getByRole("button", { name: "Approve deployment" }));
    await settle(5);
    expect(calls.find((c) => c.operationName === "RequestStageChange")?.variables).toEqual({
      stageId: "s0",
      request: "DEPLOYED",
    });
  });

  test("the requester cannot approve their own request and is told why", async () => {
    await open(REQUESTER, "Approver");
    expect(buttons()).toEqual([]);
    expect(screen().getByText("You requested this change; another approver must decide.")).toBeTruthy();
  });

  test("a viewer sees the stage and its rules, read-only, and no kill switch controls", async () => {
    await open("33333333-3333-4333-8333-333333333333", "Viewer");
    expect(buttons()).toEqual([]);
    expect(screen().getByText("Waiting for an approver's decision.")).toBeTruthy();
    expect(screen().queryByRole("button", { name: "Add rule" })).toBeNull();
    expect((screen().getByRole("textbox", { name: "Attribute" }) as HTMLInputElement).readOnly).toBe(true);
    expect(screen().queryByRole("button", { name: "Kill now" })).toBeNull();
    expect(screen().queryByRole("button", { name: "Delete feature" })).toBeNull();
  });

  test("a requester asks for a deployment of another stage", async () => {
    await open(REQUESTER, "Requester");
    fireEvent.click(screen().getByRole("button", { name: /production/ }));
    await settle();
    expect(buttons()).toEqual(["Request deployment"]);
    expect(screen().queryByRole("button", { name: "Kill now" })).toBeNull();
  });
});
