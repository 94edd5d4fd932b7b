import { describe, expect, test } from "bun:test";
import { capabilities, type RoleName } from "../src/models/permissions.ts";
import { type StageStatus, stageActions } from "../src/models/workflow.ts";

const ME = "user-me";
const OTHER = "user-other";

const labels = (status: StageStatus, role: RoleName | null, requestedBy: string | null = OTHER, isAdmin = false) =>
  stageActions({ status, requestedBy, requiresApproval: true }, capabilities(role, isAdmin), ME).actions.map(
    (a) => a.label,
  );

describe("stage actions by role (environment requires approval)", () => {
  const cases: [StageStatus, RoleName | null, string[]][] = [
    ["NOT_DEPLOYED", "Viewer", []],
    ["NOT_DEPLOYED", "Requester", ["Request deployment"]],
    ["NOT_DEPLOYED", "Approver", ["Request deployment"]],
    ["DEPLOYMENT_REQUESTED", "Viewer", []],
    ["DEPLOYMENT_REQUESTED", "Requester", []],
    ["DEPLOYMENT_REQUESTED", "Approver", ["Approve deployment", "Reject deployment"]],
    ["DEPLOYMENT_REQUESTED", "Team Admin", ["Approve deployment", "Reject deployment"]],
    ["DEPLOYMENT_REJECTED", "Requester", ["Request deployment again"]],
    ["DEPLOYED", "Requester", ["Request rollback"]],
    ["DEPLOYED", "Viewer", []],
    ["ROLLBACK_REQUESTED", "Requester", []],
    ["ROLLBACK_REQUESTED", "Approver", ["Approve rollback", "Reject rollback"]],
    ["ROLLBACK_REJECTED", "Requester", ["Request rollback again"]],
    ["ROLLBACKED", "Requester", ["Request deployment"]],
    ["NOT_DEPLOYED", null, []],
  ];
  for (const [status, role, expected] of cases) {
    test(`${role ?? "a non-member"} on ${status} may: ${expected.join(", ") || "nothing"}`, () => {
      expect(labels(status, role)).toEqual(expected);
    });
  }

  test("a super-admin who is not a member may decide", () => {
    expect(labels("DEPLOYMENT_REQUESTED", null, OTHER, true)).toEqual(["Approve deployment", "Reject deployment"]);
  });

  test("an approver never decides their own request and is told why", () => {
    const result = stageActions(
      { status: "DEPLOYMENT_REQUESTED", requestedBy: ME },
      capabilities("Approver", false),
      ME,
    );
    expect(result.actions).toEqual([]);
    expect(result.note).toBe("You requested this change; another approver must decide.");
  });

  test("a requester waiting for a decision is told so", () => {
    const result = stageActions(
      { status: "ROLLBACK_REQUESTED", requestedBy: ME },
      capabilities("Requester", false),
      ME,
    );
    expect(result.note).toBe("Waiting for an approver's decision.");
  });
});

describe("stage actions where no approval is required", () => {
  const direct = (status: StageStatus, role: RoleName) =>
    stageActions({ status, requiresApproval: false }, capabilities(role, false), ME).actions.map((a) => a.label);
  const cases: [StageStatus, RoleName, string[]][] = [
    ["NOT_DEPLOYED", "Requester", ["Deploy now", "Request deployment"]],
    ["DEPLOYMENT_REJECTED", "Requester", ["Deploy now", "Request deployment again"]],
    ["ROLLBACKED", "Requester", ["Deploy now", "Request deployment"]],
    ["DEPLOYED", "Requester", ["Roll back now", "Request rollback"]],
    ["ROLLBACK_REJECTED", "Requester", ["Roll back now", "Request rollback again"]],
    ["DEPLOYMENT_REQUESTED", "Approver", ["Approve deployment", "Reject deployment"]],
    ["NOT_DEPLOYED", "Viewer", []],
  ];
  for (const [status, role, expected] of cases) {
    test(`${role} on ${status} may: ${expected.join(", ") || "nothing"}`, () => {
      expect(direct(status, role)).toEqual(expected);
    });
  }
});
