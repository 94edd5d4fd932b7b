import { describe, expect, test } from "bun:test";
import type { Actor, TeamRole } from "../src/actor";
import { AppError } from "../src/errors";
import {
  type Decision,
  decide,
  MIN_ROLE,
  readableTeamIds,
  requireAdmin,
  requireTeam,
  type TeamAction,
} from "../src/policy";

const TEAM = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

const actor = (role?: TeamRole, isAdmin = false): Actor => ({
  userId: "u",
  username: "u",
  isAdmin,
  isTemporaryPassword: false,
  memberships: new Map(role ? [[TEAM, role]] : []),
});

// action → what Viewer, Requester, Approver, Team Admin get in their own team
const TABLE: [TeamAction, Decision, Decision, Decision, Decision][] = [
  ["team:read", "allow", "allow", "allow", "allow"],
  ["audit:read", "allow", "allow", "allow", "allow"],
  ["analytics:read", "allow", "allow", "allow", "allow"],
  ["feature:write", "forbidden", "allow", "allow", "allow"],
  ["targeting:write", "forbidden", "allow", "allow", "allow"],
  ["stage:request", "forbidden", "allow", "allow", "allow"],
  ["stage:approve", "forbidden", "forbidden", "allow", "allow"],
  ["killswitch", "forbidden", "forbidden", "allow", "allow"],
  ["team:update", "forbidden", "forbidden", "forbidden", "allow"],
  ["member:manage", "forbidden", "forbidden", "forbidden", "allow"],
  ["environment:write", "forbidden", "forbidden", "forbidden", "allow"],
  ["pipeline:write", "forbidden", "forbidden", "forbidden", "allow"],
  ["client:manage", "forbidden", "forbidden", "forbidden", "allow"],
];

describe("policy", () => {
  test("the table covers every action", () => {
    expect(TABLE.map(([action]) => action as string).sort()).toEqual(Object.keys(MIN_ROLE).sort());
  });

  test.each(TABLE)(
    "%s: Viewer %s, Requester %s, Approver %s, Team Admin %s",
    (action, viewer, requester, approver, admin) => {
      const roles: TeamRole[] = ["Viewer", "Requester", "Approver", "Team Admin"];
      expect(roles.map((role) => decide(actor(role), TEAM, action))).toEqual([viewer, requester, approver, admin]);
    },
  );

  test.each(TABLE.map(([action]) => action))("%s in another team is not found, even for a Team Admin", (action) => {
    expect(decide(actor("Team Admin"), OTHER, action)).toBe("not_found");
    expect(decide(actor(), TEAM, action)).toBe("not_found");
  });

  test.each(TABLE.map(([action]) => action))("%s is allowed to a super-admin in any team", (action) => {
    expect(decide(actor(undefined, true), OTHER, action)).toBe("allow");
  });

  test("requireTeam throws NOT_FOUND naming the subject, and FORBIDDEN naming the role needed", () => {
    const err = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return e as AppError;
      }
      throw new Error("expected a throw");
    };
    const missing = err(() => requireTeam(actor("Viewer"), OTHER, "team:read", { entity: "feature", id: "f1" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe("feature f1 not found");
    const weak = err(() => requireTeam(actor("Requester"), TEAM, "stage:approve"));
    expect(weak.code).toBe("FORBIDDEN");
    expect(weak.message).toContain("Approver");
    expect(() => requireTeam(actor("Approver"), TEAM, "stage:approve")).not.toThrow();
  });

  test("requireAdmin refuses everyone but super-admins", () => {
    expect(() => requireAdmin(actor("Team Admin"), "admin:teams")).toThrow(AppError);
    expect(() => requireAdmin(actor(undefined, true), "admin:teams")).not.toThrow();
  });

  test("readable teams are the memberships, or all for a super-admin", () => {
    expect(readableTeamIds(actor("Viewer"))).toEqual([TEAM]);
    expect(readableTeamIds(actor(undefined, true))).toBe("all");
  });
});
