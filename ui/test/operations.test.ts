import { describe, expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { activity, activityKey } from "../src/models/activity.ts";
import { setToken } from "../src/models/api.ts";
import { decide, pendingApprovals } from "../src/models/approvals.ts";
import { clients, createClient, deleteClient, rotateClientSecret, updateClient } from "../src/models/clients.ts";
import { contexts, createContext, deleteContext, updateContext } from "../src/models/contexts.ts";
import { createEnvironment, deleteEnvironment, environments, updateEnvironment } from "../src/models/environments.ts";
import {
  changeStage,
  deleteFeature,
  editOf,
  feature,
  history,
  historyKey,
  killFeature,
  previewEvaluation,
  reviveFeature,
  saveRules,
  setBucketingKey,
  updateFeature,
} from "../src/models/feature.ts";
import { createFeature, features } from "../src/models/features.ts";
import { FEATURE_CHANGED } from "../src/models/live.ts";
import { teamPeople } from "../src/models/people.ts";
import { createPipeline, deletePipeline, pipelines, updatePipeline } from "../src/models/pipelines.ts";
import { roles } from "../src/models/roles.ts";
import { newCondition, newRule } from "../src/models/rules.ts";
import { bootstrap, createAdmin, login, logout, refreshMe, resetPassword } from "../src/models/session.ts";
import { revokeAllSessions, rotateSigningKey, signingKeys } from "../src/models/settings.ts";
import { createTeam, deleteTeam, teams, updateTeam } from "../src/models/teams.ts";
import {
  registerUser,
  removeMembership,
  setMembership,
  setTemporaryPassword,
  updateUser,
  users,
} from "../src/models/users.ts";
import { loadSchema, SCHEMA_PATH, schemaServer } from "./schema-server.ts";

const schema = loadSchema();
if (!schema) console.warn(`operations test skipped: ${SCHEMA_PATH} does not exist`);

const ID = "00000000-0000-4000-8000-000000000001";
const TEAM = "00000000-0000-4000-8000-0000000000aa";

/** Loads a resource and fails with its error, so a refused query shows as itself. */
async function load(
  resource: { load: (key: never, force?: boolean) => Promise<void>; error: { value: unknown } },
  key: unknown,
) {
  await resource.load(key as never, true);
  if (resource.error.value) throw resource.error.value;
}

const rule = () => ({
  ...newRule(),
  rollout: 12.5,
  groups: [{ operator: "AND" as const, conditions: [{ ...newCondition(), contextKey: "country", values: ["NL"] }] }],
});

/** Every GraphQL operation the console sends, by the action that sends it. */
const actions: [string, () => Promise<unknown>][] = [
  [
    "bootstrap (applicationStatus, me)",
    () => {
      setToken("t");
      return bootstrap();
    },
  ],
  ["login", () => login("ada", "password-1")],
  [
    "createAdmin",
    () => createAdmin({ username: "ada", password: "p4ssword", firstName: "A", lastName: "B", email: "a@b.co" }),
  ],
  ["resetPassword", () => resetPassword("old-password", "new-password")],
  ["refreshMe", () => refreshMe()],
  ["logout", () => logout()],
  ["teams", () => load(teams, "u1")],
  ["createTeam", () => createTeam({ name: "Checkout", description: "" })],
  ["updateTeam", () => updateTeam(TEAM, { name: "Checkout", description: "x" })],
  ["deleteTeam", () => deleteTeam(TEAM)],
  ["environments", () => load(environments, TEAM)],
  ["createEnvironment", () => createEnvironment(TEAM, { name: "dev", active: true, requiresApproval: false })],
  ["updateEnvironment", () => updateEnvironment(ID, { name: "dev", active: false, requiresApproval: true })],
  ["deleteEnvironment", () => deleteEnvironment(ID)],
  ["pipelines", () => load(pipelines, TEAM)],
  [
    "createPipeline",
    () =>
      createPipeline(TEAM, {
        name: "Standard",
        active: true,
        stages: [
          { environmentId: ID, after: null },
          { environmentId: TEAM, after: 0 },
        ],
      }),
  ],
  [
    "updatePipeline",
    () => updatePipeline(ID, { name: "Standard", active: true, stages: [{ environmentId: ID, after: null }] }),
  ],
  ["deletePipeline", () => deletePipeline(ID)],
  ["contexts", () => load(contexts, TEAM)],
  ["createContext", () => createContext(TEAM, { key: "beta", description: "", entries: ["NL"] })],
  ["updateContext", () => updateContext(ID, { key: "beta", description: "x", entries: ["NL", "BE"] })],
  ["deleteContext", () => deleteContext(ID)],
  ["clients", () => load(clients, TEAM)],
  [
    "createClient",
    () =>
      createClient(TEAM, {
        name: "web",
        description: "",
        enabled: true,
        clientType: "WEB",
        environmentId: ID,
        webOrigins: ["https://a.example"],
      }),
  ],
  [
    "updateClient",
    () =>
      updateClient(ID, {
        name: "web",
        description: "",
        enabled: false,
        clientType: "BACKEND",
        environmentId: null,
        webOrigins: [],
      }),
  ],
  ["rotateClientSecret", () => rotateClientSecret(ID)],
  ["deleteClient", () => deleteClient(ID)],
  ["features", () => load(features, TEAM)],
  [
    "createFeature",
    () =>
      createFeature(
        TEAM,
        {
          key: "checkout",
          description: "",
          featureType: "SIMPLE",
          valueType: "string",
          variants: [{ key: "a", value: "x", weight: 1 }],
          pipelineId: ID,
        },
        {
          id: ID,
          name: "p",
          active: true,
          stages: [{ id: ID, orderIndex: 0, position: "0", environment: { id: ID, name: "dev" } }],
          relationships: [],
        },
      ),
  ],
  ["feature", () => load(feature, ID)],
  ["history (aliased per stage)", () => load(history, historyKey(feature.data.value!))],
  ["requestStageChange", () => changeStage(ID, "DEPLOYMENT_REQUESTED")],
  [
    "setStageRules",
    () => saveRules(ID, [rule(), { ...rule(), serve: { kind: "split", weights: [{ variant: "on", weight: 1 }] } }]),
  ],
  ["updateStage", () => setBucketingKey(ID, "accountId")],
  ["updateFeature", () => updateFeature(feature.data.value!, { ...editOf(feature.data.value!), tags: ["checkout"] })],
  ["emergencyDisableFeature (scheduled)", () => killFeature(ID, 15)],
  ["emergencyEnableFeature", () => reviveFeature(ID)],
  ["previewEvaluation", () => previewEvaluation(feature.data.value!, ID)],
  ["deleteFeature", () => deleteFeature(ID)],
  ["pendingApprovals", () => load(pendingApprovals, TEAM)],
  ["decide", () => decide(ID, "DEPLOYED")],
  ["recentActivities", () => load(activity, activityKey({ teamId: TEAM, pageNumber: 1, entityType: "feature" }))],
  ["users", () => load(users, "ada")],
  ["team people", () => load(teamPeople, TEAM)],
  [
    "registerUser",
    () =>
      registerUser({
        username: "bob",
        firstName: "B",
        lastName: "C",
        email: "b@c.co",
        password: "temporary-1",
        isAdmin: false,
        teamId: TEAM,
        roleId: ID,
      }),
  ],
  [
    "updateUser",
    () => updateUser(ID, { firstName: "B", lastName: "C", email: "b@c.co", isAdmin: false, enabled: false }),
  ],
  ["setTemporaryPassword", () => setTemporaryPassword(ID, "temporary-2")],
  ["setTeamMember", () => setMembership(TEAM, ID, ID)],
  ["removeTeamMember", () => removeMembership(TEAM, ID)],
  ["roles", () => load(roles, "all")],
  ["jwtSecretStatus", () => load(signingKeys, "all")],
  ["generateJwtSecret", () => rotateSigningKey()],
  ["deactivateAllJwtSecrets", () => revokeAllSessions()],
];

describe.skipIf(!schema)("every operation the console sends is valid against backend/schema.graphql", () => {
  const server = schema ? schemaServer(schema) : { sent: [] };
  for (const [name, action] of actions) {
    test(name, async () => {
      const before = server.sent.length;
      await action();
      const mine = server.sent.slice(before);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.flatMap((s) => s.errors.map((e) => `${s.operationName}: ${e}`))).toEqual([]);
    });
  }
  test("featureChanged subscription", () => {
    expect(validate(schema!, parse(FEATURE_CHANGED)).map((e) => e.message)).toEqual([]);
  });
});
