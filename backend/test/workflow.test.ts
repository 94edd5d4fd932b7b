/** The stage deployment workflow over GraphQL (reference §6.6): every transition, roles, no self-approval. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  activitiesOf,
  changesOf,
  createFeature,
  type FeatureWorld,
  getFeature,
  stageIn,
  startFeatureWorld,
} from "./features-fixtures";
import type { Session } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

let world: FeatureWorld;
beforeAll(async () => {
  world = await startFeatureWorld();
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await world?.server.stop();
});

const REQUEST = `mutation($id: ID!, $r: StageChangeRequest!) {
  requestStageChange(stageId: $id, request: $r) { id key stages { id status enabled requestedBy approvedBy } }
}`;
const PENDING = `query($t: ID, $n: Int, $s: Int) {
  pendingApprovals(teamId: $t, pageNumber: $n, pageSize: $s) { items { id stages { status } } total pageNumber pageSize }
}`;
const REQUESTS = [
  "DEPLOYMENT_REQUESTED",
  "DEPLOYMENT_REJECTED",
  "DEPLOYED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_REJECTED",
  "ROLLBACKED",
] as const;
type Request = (typeof REQUESTS)[number];

/** A new feature's stage in `environmentId`, with its feature id. */
async function newStage(environmentId: string): Promise<{ stageId: string; featureId: string }> {
  const featureId = await createFeature(world);
  return { featureId, stageId: stageIn(await getFeature(world, featureId), environmentId).id };
}

function request(stageId: string, r: Request, who: Session) {
  return world.gql(REQUEST, { id: stageId, r }, who.token);
}

async function stageNow(featureId: string, stageId: string) {
  return (await getFeature(world, featureId)).stages.find((s: { id: string }) => s.id === stageId);
}

interface Step {
  who: () => Session;
  to: Request;
  enabled: boolean;
  activity: string;
  /** The step switches the stage on or off: edges must hear of it. */
  flips: boolean;
}

/**
 * Walks the steps; before each one, every request the state machine does not allow from the current status is
 * refused with BAD_USER_INPUT "invalid transition" (by an Approver, who could otherwise do anything) and changes nothing.
 */
async function walk(environmentId: string, steps: Step[], direct: Request[][]): Promise<void> {
  const { stageId, featureId } = await newStage(environmentId);
  let status = "NOT_DEPLOYED";
  for (const [i, step] of steps.entries()) {
    for (const refused of REQUESTS.filter((r) => r !== step.to && !direct[i].includes(r) && !allowed(status, r))) {
      const result = await request(stageId, refused, world.teamAdmin);
      expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "request" });
      expect(result.errors?.[0].message).toStartWith(`invalid transition: ${status} -> ${refused}`);
    }
    const changes = (await changesOf(world.server, featureId)).length;
    const who = step.who();
    const result = dataOf(await request(stageId, step.to, who)).requestStageChange;
    expect(result.id).toBe(featureId);
    const stage = await stageNow(featureId, stageId);
    expect(stage).toMatchObject({ status: step.to, enabled: step.enabled });
    if (step.to.endsWith("_REQUESTED")) expect(stage).toMatchObject({ requestedBy: who.userId, approvedBy: null });
    else expect(stage.approvedBy).toBe(who.userId);
    const audit = (await activitiesOf(world.server, stageId)).at(-1);
    expect(audit).toMatchObject({ activityType: step.activity, entityType: "stage", actorId: who.userId });
    expect(audit?.metadata).toMatchObject({
      feature_id: featureId,
      stage_id: stageId,
      status: step.to,
      previous_status: status,
    });
    expect((await changesOf(world.server, featureId)).length).toBe(changes + (step.flips ? 1 : 0));
    status = step.to;
  }
}

const NEXT: Record<string, Request[]> = {
  NOT_DEPLOYED: ["DEPLOYMENT_REQUESTED"],
  DEPLOYMENT_REQUESTED: ["DEPLOYMENT_REJECTED", "DEPLOYED"],
  DEPLOYMENT_REJECTED: ["DEPLOYMENT_REQUESTED"],
  DEPLOYED: ["ROLLBACK_REQUESTED"],
  ROLLBACK_REQUESTED: ["ROLLBACK_REJECTED", "ROLLBACKED"],
  ROLLBACK_REJECTED: ["ROLLBACK_REQUESTED"],
  ROLLBACKED: ["DEPLOYMENT_REQUESTED"],
};
const allowed = (from: string, to: Request) => NEXT[from].includes(to);

const requester = () => world.requester;
const approver = () => world.approver;
const requested = (to: Request, enabled: boolean): Step => ({
  who: requester,
  to,
  enabled,
  activity: "stage_change_requested",
  flips: false,
});

describe("requestStageChange where the environment requires approval", () => {
  test("walks every transition of the table: requests by a Requester, decisions by another Approver", async () => {
    await walk(
      world.prod,
      [
        requested("DEPLOYMENT_REQUESTED", false),
        { who: approver, to: "DEPLOYMENT_REJECTED", enabled: false, activity: "stage_rejected", flips: false },
        requested("DEPLOYMENT_REQUESTED", false),
        { who: approver, to: "DEPLOYED", enabled: true, activity: "stage_deployed", flips: true },
        requested("ROLLBACK_REQUESTED", true),
        { who: approver, to: "ROLLBACK_REJECTED", enabled: true, activity: "stage_rejected", flips: false },
        requested("ROLLBACK_REQUESTED", true),
        { who: approver, to: "ROLLBACKED", enabled: false, activity: "stage_rollbacked", flips: true },
        requested("DEPLOYMENT_REQUESTED", false),
      ],
      Array.from({ length: 9 }, () => []),
    );
  });

  test("refuses deploying without a request, saying approval is required", async () => {
    const { stageId } = await newStage(world.prod);
    const result = await request(stageId, "DEPLOYED", world.approver);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toBe(
      "invalid transition: NOT_DEPLOYED -> DEPLOYED (environment 'prod' requires approval: request DEPLOYMENT_REQUESTED first)",
    );
  });
});

describe("requestStageChange where the environment deploys directly", () => {
  test("lets a Requester deploy and roll back directly, recorded as both requester and approver", async () => {
    const direct = (to: Request, enabled: boolean, activity: string): Step => ({
      who: requester,
      to,
      enabled,
      activity,
      flips: true,
    });
    await walk(
      world.dev,
      [
        direct("DEPLOYED", true, "stage_deployed"),
        direct("ROLLBACKED", false, "stage_rollbacked"),
        direct("DEPLOYED", true, "stage_deployed"),
        requested("ROLLBACK_REQUESTED", true),
        { who: approver, to: "ROLLBACK_REJECTED", enabled: true, activity: "stage_rejected", flips: false },
        direct("ROLLBACKED", false, "stage_rollbacked"),
        requested("DEPLOYMENT_REQUESTED", false),
        { who: approver, to: "DEPLOYMENT_REJECTED", enabled: false, activity: "stage_rejected", flips: false },
        direct("DEPLOYED", true, "stage_deployed"),
      ],
      // besides the table, the direct moves are allowed from these states
      [["DEPLOYED"], ["ROLLBACKED"], ["DEPLOYED"], ["ROLLBACKED"], [], ["ROLLBACKED"], ["DEPLOYED"], [], ["DEPLOYED"]],
    );
    const { stageId, featureId } = await newStage(world.dev);
    dataOf(await request(stageId, "DEPLOYED", world.requester));
    expect(await stageNow(featureId, stageId)).toMatchObject({
      requestedBy: world.requester.userId,
      approvedBy: world.requester.userId,
    });
  });

  test("still needs an Approver to decide a pending request", async () => {
    const { stageId } = await newStage(world.dev);
    dataOf(await request(stageId, "DEPLOYMENT_REQUESTED", world.requester));
    expect(codeOf(await request(stageId, "DEPLOYED", world.requester))).toBe("FORBIDDEN");
  });
});

describe("who may do what", () => {
  test("nobody approves or rejects their own request, not even an administrator", async () => {
    const { stageId, featureId } = await newStage(world.prod);
    dataOf(await request(stageId, "DEPLOYMENT_REQUESTED", world.approver));
    for (const decision of ["DEPLOYED", "DEPLOYMENT_REJECTED"] as const) {
      const own = await request(stageId, decision, world.approver);
      expect(codeOf(own)).toBe("FORBIDDEN");
      expect(own.errors?.[0].message).toContain("another Approver");
    }
    expect((await stageNow(featureId, stageId)).status).toBe("DEPLOYMENT_REQUESTED");
    dataOf(await request(stageId, "DEPLOYED", world.teamAdmin));
    const admin = await newStage(world.prod);
    dataOf(await request(admin.stageId, "DEPLOYMENT_REQUESTED", world.admin));
    expect(codeOf(await request(admin.stageId, "DEPLOYED", world.admin))).toBe("FORBIDDEN");
    dataOf(await request(admin.stageId, "DEPLOYED", world.approver));
  });

  test("a Requester cannot decide, a Viewer cannot request, another team cannot see the stage", async () => {
    const { stageId, featureId } = await newStage(world.prod);
    expect(codeOf(await request(stageId, "DEPLOYMENT_REQUESTED", world.viewer))).toBe("FORBIDDEN");
    expect(codeOf(await request(stageId, "DEPLOYMENT_REQUESTED", world.outsider))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(REQUEST, { id: stageId, r: "DEPLOYMENT_REQUESTED" }))).toBe("UNAUTHENTICATED");
    dataOf(await request(stageId, "DEPLOYMENT_REQUESTED", world.requester));
    expect(codeOf(await request(stageId, "DEPLOYED", world.requester))).toBe("FORBIDDEN");
    expect(codeOf(await request(stageId, "DEPLOYMENT_REJECTED", world.requester))).toBe("FORBIDDEN");
    expect((await stageNow(featureId, stageId)).status).toBe("DEPLOYMENT_REQUESTED");
  });

  test("refuses a malformed stage id and an unknown request", async () => {
    expect(codeOf(await world.gql(REQUEST, { id: "stage-1", r: "DEPLOYED" }, world.approver.token))).toBe(
      "BAD_USER_INPUT",
    );
    const { stageId } = await newStage(world.prod);
    expect(codeOf(await world.gql(REQUEST, { id: stageId, r: "DEPLOYMENT_APPROVED" }, world.approver.token))).toBe(
      "BAD_USER_INPUT",
    );
  });
});

describe("pendingApprovals", () => {
  test("lists the team's features with a stage awaiting an Approver, for members only", async () => {
    const waiting = await newStage(world.prod);
    const rollback = await newStage(world.dev);
    const idle = await newStage(world.prod);
    dataOf(await request(waiting.stageId, "DEPLOYMENT_REQUESTED", world.requester));
    dataOf(await request(rollback.stageId, "DEPLOYED", world.requester));
    dataOf(await request(rollback.stageId, "ROLLBACK_REQUESTED", world.requester));
    const page = dataOf(await world.gql(PENDING, { t: world.teamA.id }, world.viewer.token)).pendingApprovals;
    const ids = page.items.map((f: { id: string }) => f.id);
    expect(ids).toContain(waiting.featureId);
    expect(ids).toContain(rollback.featureId);
    expect(ids).not.toContain(idle.featureId);
    expect(page.total).toBe(ids.length);
    const paged = dataOf(
      await world.gql(PENDING, { t: world.teamA.id, n: 1, s: 1 }, world.viewer.token),
    ).pendingApprovals;
    expect(paged).toMatchObject({ pageNumber: 1, pageSize: 1, total: page.total });
    expect(paged.items).toHaveLength(1);
    expect(codeOf(await world.gql(PENDING, { t: world.teamA.id }, world.outsider.token))).toBe("NOT_FOUND");
    const theirs = dataOf(await world.gql(PENDING, {}, world.outsider.token)).pendingApprovals;
    expect(theirs.items.map((f: { id: string }) => f.id)).not.toContain(waiting.featureId);
    const everyone = dataOf(await world.gql(PENDING, {}, world.admin.token)).pendingApprovals;
    expect(everyone.items.map((f: { id: string }) => f.id)).toContain(waiting.featureId);
    expect(codeOf(await world.gql(PENDING, {}))).toBe("UNAUTHENTICATED");
  });
});
