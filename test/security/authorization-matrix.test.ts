/**
 * The authorization matrix: every GraphQL operation of the schema (queries, mutations, subscriptions — enumerated
 * from the schema the server builds, so a new operation without an entry here fails, named) × seven callers:
 * anonymous, a Viewer, Requester, Approver and Team Admin of team A, a Team Admin of team B ("outsider") and a
 * super-admin. Every call targets team A's objects.
 *
 * ONE table (`TABLE`) says, per operation, the weakest caller allowed (public / authenticated / a team role /
 * admin) and the variables to call it with. Expected outcomes follow backend/src/policy.ts:
 * - anonymous → UNAUTHENTICATED (except the public operations);
 * - a member of team A whose role is too weak → FORBIDDEN; admin-only operations → FORBIDDEN for everyone else;
 * - the outsider → NOT_FOUND for anything of team A (other teams' objects do not exist for them);
 * - allowed → no auth error (the call may still fail validation: BAD_USER_INPUT or CONFLICT count as allowed).
 * An INTERNAL error or a 5xx is always a failure. Subscriptions run over SSE and over WebSocket (graphql-ws).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isObjectType,
} from "graphql";
import { ROLE_IDS_BY_NAME } from "../../backend/src/actor.ts";
import { buildSchema } from "../../backend/src/graphql/schema.ts";
import {
  createOrganisation,
  createTeam,
  createUser,
  login,
  type Organisation,
  type Session,
  unique,
} from "../../backend/test/support/fixtures.ts";
import { dataOf, type GqlResult } from "../../backend/test/support/gql.ts";
import { startTestBackend, type TestBackend } from "../../backend/test/support/server.ts";
import { sseSubscribe, wsClient } from "../../backend/test/support/subscriptions.ts";

// --- callers and expectations ----------------------------------------------------------------------------------

const ACTORS = ["anonymous", "viewer", "requester", "approver", "teamAdmin", "outsider", "admin"] as const;
type ActorName = (typeof ACTORS)[number];
type Outcome = "allow" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND";
type Level = "public" | "authenticated" | "Viewer" | "Requester" | "Approver" | "Team Admin" | "admin";
type Kind = "query" | "mutation" | "subscription";

const RANK = { Viewer: 0, Requester: 1, Approver: 2, "Team Admin": 3 } as const;
const MEMBER_ROLE = {
  viewer: "Viewer",
  requester: "Requester",
  approver: "Approver",
  teamAdmin: "Team Admin",
} as const;

function expectedFor(level: Level, actor: ActorName): Outcome {
  if (level === "public") return "allow";
  if (actor === "anonymous") return "UNAUTHENTICATED";
  if (level === "authenticated" || actor === "admin") return "allow";
  if (level === "admin") return "FORBIDDEN";
  if (actor === "outsider") return "NOT_FOUND";
  return RANK[MEMBER_ROLE[actor]] >= RANK[level] ? "allow" : "FORBIDDEN";
}

// --- fixtures (team A's objects, made by the admin) -------------------------------------------------------------

interface Fixtures {
  org: Organisation;
  /** Current token per caller (re-issued after operations that end sessions). */
  tokens: Record<Exclude<ActorName, "anonymous">, string>;
  envDev: string;
  envProd: string;
  pipelineId: string;
  contextId: string;
  clientId: string;
  feature: FeatureFixture;
  /** A second Requester of team A: requests stages that the callers then approve. */
  requester2: Session;
  /** Targets for callers expected to be refused (allowed callers get fresh ones). */
  memberOfA: string;
  inNoTeam: string;
  requestedStage: string;
}

interface FeatureFixture {
  id: string;
  key: string;
  devStage: string;
  prodStage: string;
}

let t: TestBackend;
let fx: Fixtures;

// biome-ignore lint/suspicious/noExplicitAny: results are read by shape
async function asAdmin(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  return dataOf(await t.gql(query, variables, fx.tokens.admin));
}

const fresh = {
  team: async () => (await createTeam(t.gql, fx.tokens.admin)).id,
  /** A user in no team, or a Viewer of `teamId` (registered only: nobody logs in as them). */
  user: async (teamId?: string) => {
    const username = unique("target");
    const input = {
      username,
      password: "password-123",
      firstName: "T",
      lastName: "U",
      email: `${username}@example.com`,
    };
    const teamInput = teamId ? { teamId, roleId: ROLE_IDS_BY_NAME.Viewer } : {};
    const result = await asAdmin(`mutation($i: RegisterUserInput!) { registerUser(input: $i) { id } }`, {
      i: { ...input, ...teamInput, isTemporaryPassword: false },
    });
    return result.registerUser.id as string;
  },
  env: async () =>
    (
      await asAdmin(
        `mutation($t: ID!, $i: CreateEnvironmentInput!) { createEnvironment(teamId: $t, input: $i) { id } }`,
        { t: fx.org.teamA.id, i: { name: unique("env"), active: true } },
      )
    ).createEnvironment.id as string,
  pipeline: async () =>
    (
      await asAdmin(`mutation($t: ID!, $i: CreatePipelineInput!) { createPipeline(teamId: $t, input: $i) }`, {
        t: fx.org.teamA.id,
        i: pipelineInput(),
      })
    ).createPipeline as string,
  context: async () =>
    (
      await asAdmin(`mutation($t: ID!, $i: CreateContextInput!) { createContext(teamId: $t, input: $i) { id } }`, {
        t: fx.org.teamA.id,
        i: { key: unique("ctx"), entries: ["a", "b"] },
      })
    ).createContext.id as string,
  client: async () =>
    (
      await asAdmin(
        `mutation($t: ID!, $i: CreateClientInput!) { createClient(teamId: $t, input: $i) { client { id } } }`,
        { t: fx.org.teamA.id, i: { name: unique("client"), clientType: "BACKEND" } },
      )
    ).createClient.client.id as string,
  feature: async (): Promise<FeatureFixture> => {
    const key = unique("flag");
    const id = (
      await asAdmin(`mutation($t: ID!, $i: CreateFeatureInput!) { createFeature(teamId: $t, input: $i) }`, {
        t: fx.org.teamA.id,
        i: featureInput(key),
      })
    ).createFeature as string;
    const feature = (await asAdmin(`query($id: ID!) { feature(id: $id) { stages { id environmentId } } }`, { id }))
      .feature;
    const stage = (env: string) => feature.stages.find((s: { environmentId: string }) => s.environmentId === env).id;
    return { id, key, devStage: stage(fx.envDev), prodStage: stage(fx.envProd) };
  },
  /** A feature whose prod stage (approval required) was requested by requester2, waiting for a decision. */
  requestedStage: async () => {
    const feature = await fresh.feature();
    dataOf(
      await t.gql(
        `mutation($s: ID!) { requestStageChange(stageId: $s, request: DEPLOYMENT_REQUESTED) { id } }`,
        { s: feature.prodStage },
        fx.requester2.token,
      ),
    );
    return feature.prodStage;
  },
  killedFeature: async () => {
    const feature = await fresh.feature();
    await asAdmin(`mutation($id: ID!) { emergencyDisableFeature(id: $id) { id } }`, { id: feature.id });
    return feature.id;
  },
};

const pipelineInput = () => ({
  name: unique("pipeline"),
  stages: [{ environmentId: fx.envDev, orderIndex: 0, position: "a" }],
  relationships: [],
});

const featureInput = (key: string, stages?: { dev: string; prod: string }) => ({
  key,
  featureType: "SIMPLE",
  stages: [
    { id: stages?.dev, environmentId: fx.envDev, orderIndex: 0, position: "a" },
    { id: stages?.prod, environmentId: fx.envProd, orderIndex: 1, position: "b" },
  ],
  relationships: [{ sourceId: 0, targetId: 1 }],
});

// --- THE table ----------------------------------------------------------------------------------------------------

type Vars = Record<string, unknown>;

interface Entry {
  level: Level;
  /** Variables; `allowed` says whether this caller is expected to get through (fresh objects for destructive calls). */
  args?: (actor: ActorName, allowed: boolean) => Vars | Promise<Vars>;
  /** Per-caller outcomes where the operation's rule is finer than a level. */
  except?: Partial<Record<ActorName, Outcome>>;
  /** The call ends sessions: log these callers in again afterwards. */
  endsSessions?: "caller" | "everyone";
  /** Subscriptions: something that makes the subscription emit for allowed callers. */
  trigger?: () => Promise<void>;
  note?: string;
}

const A = () => fx.org.teamA.id;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const lastHourRates = () => ({ fromTime: hoursAgo(1), toTime: hoursAgo(0), intervalMinutes: 10 });
const everyone = (outcome: Outcome): Partial<Record<ActorName, Outcome>> =>
  Object.fromEntries(ACTORS.map((a) => [a, outcome]));

/** Operation (`query.x`, `mutation.x`, `subscription.x`) → who may call it, and how to call it on team A. */
const TABLE: Record<string, Entry | Entry[]> = {
  // ---- queries
  "query.applicationStatus": { level: "public" },
  "query.me": { level: "authenticated" },
  "query.jwtSecretStatus": { level: "admin" },
  "query.teams": { level: "authenticated", note: "lists only the caller's teams" },
  "query.team": { level: "Viewer", args: () => ({ id: A() }) },
  "query.user": { level: "Viewer", args: () => ({ id: fx.org.requester.userId }) },
  "query.userByUsername": { level: "Viewer", args: () => ({ username: fx.org.requester.username }) },
  "query.users": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.roles": { level: "authenticated" },
  "query.userRoles": { level: "Viewer", args: () => ({ userId: fx.org.requester.userId, teamId: A() }) },
  "query.recentActivities": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.environment": { level: "Viewer", args: () => ({ id: fx.envDev }) },
  "query.environments": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.pipeline": { level: "Viewer", args: () => ({ id: fx.pipelineId }) },
  "query.pipelines": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.context": { level: "Viewer", args: () => ({ id: fx.contextId }) },
  "query.contexts": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.client": { level: "Viewer", args: () => ({ id: fx.clientId }) },
  "query.clients": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.clientsCount": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.feature": { level: "Viewer", args: () => ({ id: fx.feature.id }) },
  "query.features": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.featuresCount": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.getStageCriteria": { level: "Viewer", args: () => ({ stageId: fx.feature.devStage }) },
  "query.stageRules": { level: "Viewer", args: () => ({ stageId: fx.feature.devStage }) },
  "query.pendingApprovals": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.activeKillSwitches": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.previewEvaluation": {
    level: "Viewer",
    args: () => ({ featureId: fx.feature.id, environmentId: fx.envDev, context: { targetingKey: "u-1" } }),
  },

  // ---- mutations: sessions and accounts
  "mutation.createAdmin": {
    level: "public",
    except: everyone("FORBIDDEN"),
    note: "public, but closed for good once an administrator exists (FORBIDDEN for every caller, never UNAUTHENTICATED)",
    args: () => ({
      input: {
        username: unique("adm"),
        password: "password-123",
        firstName: "A",
        lastName: "B",
        email: `${unique("a")}@x.io`,
      },
    }),
  },
  "mutation.login": {
    level: "public",
    args: () => ({ input: { username: fx.requester2.username, password: fx.requester2.password } }),
  },
  "mutation.logout": { level: "authenticated", endsSessions: "caller" },
  "mutation.logoutCurrent": { level: "authenticated", endsSessions: "caller" },
  "mutation.resetPassword": {
    level: "authenticated",
    note: "allowed callers get BAD_USER_INPUT (wrong current password): the password stays",
    args: () => ({ input: { currentPassword: "not-the-password", newPassword: "another-password-1" } }),
  },
  "mutation.setTemporaryPassword": {
    level: "Team Admin",
    args: async (_, allowed) => ({
      input: { userId: allowed ? await fresh.user(A()) : fx.memberOfA, temporaryPassword: "temporary-pw-1" },
    }),
  },
  "mutation.generateJwtSecret": { level: "admin" },
  "mutation.jwtSecretStatus": { level: "admin" },
  "mutation.deactivateAllJwtSecrets": { level: "admin", endsSessions: "everyone" },

  // ---- teams, users, memberships
  "mutation.createTeam": { level: "admin", args: () => ({ input: { name: unique("team") } }) },
  "mutation.updateTeam": { level: "Team Admin", args: () => ({ id: A(), input: { description: "updated" } }) },
  "mutation.deleteTeam": {
    level: "admin",
    // denied callers aim at team A itself (the real threat); the admin deletes a team of its own
    args: async (_, allowed) => ({ id: allowed ? await fresh.team() : A() }),
  },
  "mutation.registerUser": {
    level: "Team Admin",
    args: () => ({
      input: {
        username: unique("reg"),
        password: "password-123",
        firstName: "R",
        lastName: "U",
        email: `${unique("reg")}@example.com`,
        teamId: A(),
        roleId: ROLE_IDS_BY_NAME.Viewer,
      },
    }),
  },
  "mutation.updateUser": {
    level: "admin",
    except: { requester: "allow", outsider: "NOT_FOUND" },
    note: "names and email: yourself or an administrator; the target is team A's Requester",
    args: () => ({ id: fx.org.requester.userId, input: { firstName: "Renamed" } }),
  },
  "mutation.setTeamMember": {
    level: "Team Admin",
    args: async (_, allowed) => ({
      teamId: A(),
      userId: allowed ? await fresh.user() : fx.inNoTeam,
      roleId: ROLE_IDS_BY_NAME.Viewer,
    }),
  },
  "mutation.removeTeamMember": {
    level: "Team Admin",
    args: async (_, allowed) => ({ teamId: A(), userId: allowed ? await fresh.user(A()) : fx.memberOfA }),
  },
  "mutation.assignUserTeams": {
    level: "Team Admin",
    args: async (_, allowed) => ({ userId: allowed ? await fresh.user() : fx.inNoTeam, teamIds: [A()] }),
  },
  "mutation.assignUserRoles": {
    level: "Team Admin",
    args: async (_, allowed) => ({
      userId: allowed ? await fresh.user(A()) : fx.memberOfA,
      input: { roleIds: [ROLE_IDS_BY_NAME.Requester], teamId: A() },
    }),
  },

  // ---- environments, pipelines, contexts, clients
  "mutation.createEnvironment": {
    level: "Team Admin",
    args: () => ({ teamId: A(), input: { name: unique("env"), active: true } }),
  },
  "mutation.updateEnvironment": { level: "Team Admin", args: () => ({ id: fx.envDev, input: { active: true } }) },
  "mutation.deleteEnvironment": { level: "Team Admin", args: async () => ({ id: await fresh.env() }) },
  "mutation.createPipeline": { level: "Team Admin", args: () => ({ teamId: A(), input: pipelineInput() }) },
  "mutation.updatePipeline": { level: "Team Admin", args: () => ({ id: fx.pipelineId, input: { active: true } }) },
  "mutation.deletePipeline": { level: "Team Admin", args: async () => ({ id: await fresh.pipeline() }) },
  "mutation.createContext": {
    level: "Requester",
    args: () => ({ teamId: A(), input: { key: unique("ctx"), entries: ["x"] } }),
  },
  "mutation.updateContext": { level: "Requester", args: () => ({ id: fx.contextId, input: { description: "d" } }) },
  "mutation.deleteContext": { level: "Requester", args: async () => ({ id: await fresh.context() }) },
  "mutation.createClient": {
    level: "Team Admin",
    args: () => ({ teamId: A(), input: { name: unique("client"), clientType: "BACKEND" } }),
  },
  "mutation.updateClient": { level: "Team Admin", args: () => ({ id: fx.clientId, input: { description: "d" } }) },
  "mutation.rotateClientSecret": { level: "Team Admin", args: async () => ({ id: await fresh.client() }) },
  "mutation.deleteClient": { level: "Team Admin", args: async () => ({ id: await fresh.client() }) },

  // ---- features, targeting, workflow, kill switch
  "mutation.createFeature": {
    level: "Requester",
    args: () => ({ teamId: A(), input: featureInput(unique("flag")) }),
  },
  "mutation.updateFeature": {
    level: "Requester",
    args: () => ({
      id: fx.feature.id,
      input: featureInput(fx.feature.key, { dev: fx.feature.devStage, prod: fx.feature.prodStage }),
    }),
  },
  "mutation.deleteFeature": { level: "Requester", args: async () => ({ id: (await fresh.feature()).id }) },
  "mutation.setStageCriteria": {
    level: "Requester",
    args: () => ({
      stageId: fx.feature.devStage,
      criteria: [{ contextKey: "country", contextId: fx.contextId, rolloutPercentage: 50 }],
    }),
  },
  "mutation.setStageRules": {
    level: "Requester",
    args: () => ({ stageId: fx.feature.devStage, rules: [{ rollout: 50 }] }),
  },
  "mutation.updateStage": {
    level: "Requester",
    args: () => ({ stageId: fx.feature.devStage, input: { bucketingKey: "userId" } }),
  },
  "mutation.requestStageChange": [
    {
      level: "Requester",
      note: "request a deployment where approval is required",
      args: async () => ({ stageId: (await fresh.feature()).prodStage, request: "DEPLOYMENT_REQUESTED" }),
    },
    {
      level: "Requester",
      note: "deploy directly where no approval is required",
      args: async () => ({ stageId: (await fresh.feature()).devStage, request: "DEPLOYED" }),
    },
    {
      level: "Approver",
      note: "approve someone else's request",
      args: async (_, allowed) => ({
        stageId: allowed ? await fresh.requestedStage() : fx.requestedStage,
        request: "DEPLOYED",
      }),
    },
    {
      level: "Approver",
      note: "reject someone else's request",
      args: async (_, allowed) => ({
        stageId: allowed ? await fresh.requestedStage() : fx.requestedStage,
        request: "DEPLOYMENT_REJECTED",
      }),
    },
  ],
  "mutation.emergencyDisableFeature": { level: "Approver", args: async () => ({ id: (await fresh.feature()).id }) },
  "mutation.emergencyEnableFeature": { level: "Approver", args: async () => ({ id: await fresh.killedFeature() }) },

  // ---- analytics (analytics:read = Viewer)
  "query.evaluationSummary": { level: "Viewer", args: () => ({ teamId: A(), input: { period: "PERIOD_24H" } }) },
  "query.evaluationRates": { level: "Viewer", args: () => ({ teamId: A(), input: lastHourRates() }) },
  "query.evaluationRatesWithPeriod": {
    level: "Viewer",
    args: () => ({ teamId: A(), input: { period: "PERIOD_24H", intervalMinutes: 60 } }),
  },
  "query.evaluationsByFeature": {
    level: "Viewer",
    args: () => ({ teamId: A(), fromTime: hoursAgo(1), toTime: hoursAgo(0) }),
  },
  "query.evaluationCount": {
    level: "Viewer",
    args: () => ({ teamId: A(), filter: { fromDate: hoursAgo(1), toDate: hoursAgo(0) } }),
  },
  "query.featureGrowth": {
    level: "Viewer",
    args: () => ({ teamId: A(), fromTime: hoursAgo(48), toTime: hoursAgo(0), interval: "day" }),
  },
  "query.rolloutMetrics": { level: "Viewer", args: () => ({ teamId: A() }) },
  "query.systemMetrics": { level: "Viewer", args: () => ({ teamId: A() }) },
  "subscription.evaluationDashboard": { level: "Viewer", args: () => ({ teamId: A(), input: lastHourRates() }) },
  "subscription.evaluationsByFeatureLive": {
    level: "Viewer",
    args: () => ({ teamId: A(), input: { period: "PERIOD_24H" } }),
  },
  "subscription.systemMetrics": { level: "Viewer", args: () => ({ teamId: A() }) },
  "subscription.evaluationSummary": { level: "Viewer", args: () => ({ teamId: A(), input: { period: "PERIOD_24H" } }) },
  "subscription.evaluationRatesWithPeriod": {
    level: "Viewer",
    args: () => ({ teamId: A(), input: { period: "PERIOD_24H", intervalMinutes: 60 } }),
  },
  "subscription.evaluationRates": { level: "Viewer", args: () => ({ teamId: A(), input: lastHourRates() }) },

  // ---- subscriptions
  "subscription.recentActivities": { level: "Viewer", args: () => ({ teamId: A() }) },
  "subscription.featureChanged": {
    level: "Viewer",
    args: () => ({ teamId: A() }),
    trigger: async () => {
      await asAdmin(`mutation($id: ID!, $i: UpdateContextInput!) { updateContext(id: $id, input: $i) { id } }`, {
        id: fx.contextId,
        i: { entries: [unique("v")] },
      });
    },
  },
};

// --- operations of the schema -------------------------------------------------------------------------------------

const schema: GraphQLSchema = buildSchema();
const ROOTS: [Kind, GraphQLObjectType | null | undefined][] = [
  ["query", schema.getQueryType()],
  ["mutation", schema.getMutationType()],
  ["subscription", schema.getSubscriptionType()],
];
const OPERATIONS: { name: string; kind: Kind; field: GraphQLField<unknown, unknown> }[] = ROOTS.flatMap(
  ([kind, type]) =>
    Object.values(type?.getFields() ?? {}).map((field) => ({ name: `${kind}.${field.name}`, kind, field })),
);

/** `kind Op($a: T!, …) { field(a: $a, …) { __typename } }` for the variables given. */
function documentFor(kind: Kind, field: GraphQLField<unknown, unknown>, vars: Vars): string {
  const args = field.args.filter((a) => a.name in vars);
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
  const call = args.map((a) => `${a.name}: $${a.name}`).join(", ");
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isAbstractType(named) ? " { __typename }" : "";
  return `${kind} Op${defs ? `(${defs})` : ""} { ${field.name}${call ? `(${call})` : ""}${selection} }`;
}

type Observed = Outcome | `INTERNAL: ${string}` | `OTHER: ${string}`;

function classify(result: GqlResult): Observed {
  const error = result.errors?.[0];
  const code = error?.extensions?.code;
  if (result.status >= 500 || code === "INTERNAL") return `INTERNAL: ${result.status} ${error?.message}`;
  if (code === "UNAUTHENTICATED" || code === "FORBIDDEN" || code === "NOT_FOUND") return code;
  if (code === "PASSWORD_RESET_REQUIRED") return `OTHER: ${code}`;
  return "allow";
}

const tokenOf = (actor: ActorName) => (actor === "anonymous" ? undefined : fx.tokens[actor]);

async function relogin(actors: Exclude<ActorName, "anonymous">[]): Promise<void> {
  const sessions: Record<Exclude<ActorName, "anonymous">, Session> = {
    viewer: fx.org.viewer,
    requester: fx.org.requester,
    approver: fx.org.approver,
    teamAdmin: fx.org.teamAdmin,
    outsider: fx.org.outsider,
    admin: fx.org.admin,
  };
  for (const actor of actors) fx.tokens[actor] = await login(t.gql, sessions[actor].username, sessions[actor].password);
}

/** One subscription call: the first event over SSE or WebSocket, classified. */
async function subscribeOnce(
  transport: "sse" | "ws",
  document: string,
  vars: Vars,
  token: string | undefined,
  trigger?: () => Promise<void>,
): Promise<Observed> {
  if (transport === "sse") {
    const stream = await sseSubscribe(`${t.url}/graphql`, document, vars, token);
    try {
      if (stream.status === 401) return "UNAUTHENTICATED";
      const first = trigger ? undefined : await stream.next(3_000);
      if (first) return classify({ ...first, status: stream.status });
      await trigger?.();
      const next = await stream.next(5_000);
      return next ? classify({ ...next, status: stream.status }) : "OTHER: no event";
    } finally {
      stream.close();
    }
  }
  const client = wsClient(t.wsUrl, token);
  try {
    let triggerTimer: ReturnType<typeof setTimeout> | undefined;
    const observed = await new Promise<Observed>((settle) => {
      const timer = setTimeout(() => resolve("OTHER: no event"), 8_000);
      // a refused caller is answered before the trigger is due: the trigger must not fire after the call is over
      // (it would run as admin in a later test, after sessions were ended or the server stopped)
      const resolve = (outcome: Observed) => {
        clearTimeout(triggerTimer);
        settle(outcome);
      };
      const unsubscribe = client.subscribe(
        { query: document, variables: vars },
        {
          next: (value) => {
            clearTimeout(timer);
            resolve(classify({ ...(value as object), status: 200 } as GqlResult));
          },
          error: (error) => {
            clearTimeout(timer);
            const code = (error as { code?: number }).code;
            if (code === 4401) resolve("UNAUTHENTICATED");
            else if (Array.isArray(error)) resolve(classify({ errors: error, status: 200 } as GqlResult));
            else resolve(`OTHER: ${code ?? String(error)}`);
          },
          complete: () => {},
        },
      );
      // give the subscription a moment to be registered, then make it emit
      if (trigger) triggerTimer = setTimeout(() => void trigger(), 500);
      void unsubscribe;
    });
    return observed;
  } finally {
    await client.dispose();
  }
}

// --- the tests ----------------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await startTestBackend();
  const org = await createOrganisation(t.gql);
  fx = {
    org,
    tokens: {
      viewer: org.viewer.token,
      requester: org.requester.token,
      approver: org.approver.token,
      teamAdmin: org.teamAdmin.token,
      outsider: org.outsider.token,
      admin: org.admin.token,
    },
  } as Fixtures;
  const env = (name: string, requiresApproval: boolean) =>
    asAdmin(`mutation($t: ID!, $i: CreateEnvironmentInput!) { createEnvironment(teamId: $t, input: $i) { id } }`, {
      t: org.teamA.id,
      i: { name, active: true, requiresApproval },
    });
  fx.envDev = (await env("dev", false)).createEnvironment.id;
  fx.envProd = (await env("prod", true)).createEnvironment.id;
  fx.pipelineId = await fresh.pipeline();
  fx.contextId = await fresh.context();
  fx.clientId = await fresh.client();
  fx.feature = await fresh.feature();
  fx.requester2 = await createUser(t.gql, org.admin.token, { teamId: org.teamA.id, role: "Requester" });
  fx.memberOfA = await fresh.user(org.teamA.id);
  fx.inNoTeam = await fresh.user();
  fx.requestedStage = await fresh.requestedStage();
}, 240_000);

afterAll(async () => {
  await t?.stop();
});

const results: { op: string; actor: ActorName; expected: Outcome; observed: Observed }[] = [];

describe("every operation of the schema has an entry in the table", () => {
  test("no operation is missing", () => {
    const missing = OPERATIONS.filter((o) => !(o.name in TABLE)).map((o) => o.name);
    expect(missing, `operations without an authorization entry (add them to TABLE): ${missing.join(", ")}`).toEqual([]);
  });
  test("entries for operations the schema does not have are reported (harmless: work may land in any order)", () => {
    const names = new Set(OPERATIONS.map((o) => o.name));
    const stale = Object.keys(TABLE).filter((name) => !names.has(name));
    if (stale.length)
      console.warn(`[authorization matrix] entries without an operation in the schema: ${stale.join(", ")}`);
  });
});

// Ordered so that operations ending sessions, and deleteTeam, run after the rest.
const LAST = ["mutation.logout", "mutation.logoutCurrent", "mutation.deactivateAllJwtSecrets", "mutation.deleteTeam"];
const ORDERED = [...OPERATIONS].sort((a, b) => LAST.indexOf(a.name) - LAST.indexOf(b.name));

describe("authorization matrix", () => {
  for (const op of ORDERED) {
    test(op.name, async () => {
      const found = TABLE[op.name];
      if (!found) throw new Error(`no entry in the authorization table for ${op.name}: add one to TABLE`);
      const entries = Array.isArray(found) ? found : [found];
      const wrong: string[] = [];
      for (const entry of entries) {
        const expected = (actor: ActorName) => entry.except?.[actor] ?? expectedFor(entry.level, actor);
        // callers expected to be refused go first (all at once), so nothing an allowed call changes can help them;
        // then the allowed ones (all at once: destructive calls get fresh objects each)
        const refused = ACTORS.filter((a) => expected(a) !== "allow");
        const allowed = ACTORS.filter((a) => expected(a) === "allow");
        for (const group of [refused, allowed]) {
          await Promise.all(
            group.map(async (actor) => {
              const want = expected(actor);
              const vars = (await entry.args?.(actor, want === "allow")) ?? {};
              const document = documentFor(op.kind, op.field, vars);
              let observed: Observed;
              if (op.kind === "subscription") {
                const [sse, ws] = await Promise.all([
                  subscribeOnce("sse", document, vars, tokenOf(actor), entry.trigger),
                  subscribeOnce("ws", document, vars, tokenOf(actor), entry.trigger),
                ]);
                observed = sse === ws ? sse : (`OTHER: SSE ${sse}, WebSocket ${ws}` as Observed);
              } else {
                observed = classify(await t.gql(document, vars, tokenOf(actor)));
              }
              results.push({ op: op.name, actor, expected: want, observed });
              if (observed !== want) {
                wrong.push(`${actor}: expected ${want}, got ${observed}${entry.note ? ` (${entry.note})` : ""}`);
              }
              if (entry.endsSessions === "caller" && actor !== "anonymous" && observed === "allow") {
                await relogin([actor]);
              }
            }),
          );
        }
        if (entry.endsSessions === "everyone") {
          await relogin(["viewer", "requester", "approver", "teamAdmin", "outsider", "admin"]);
        }
      }
      expect(wrong, `${op.name}: wrong allow/deny`).toEqual([]);
    }, 60_000);
  }

  test("summary", () => {
    const ops = new Set(results.map((r) => r.op)).size;
    const wrong = results.filter((r) => r.observed !== r.expected);
    console.log(
      `[authorization matrix] ${OPERATIONS.length} operations in the schema (${OPERATIONS.filter((o) => o.kind === "query").length} queries, ` +
        `${OPERATIONS.filter((o) => o.kind === "mutation").length} mutations, ${OPERATIONS.filter((o) => o.kind === "subscription").length} subscriptions), ` +
        `${ops} exercised × ${ACTORS.length} callers = ${results.length} calls (subscriptions over SSE and WebSocket each); ` +
        `${wrong.length} wrong${wrong.length ? `: ${wrong.map((w) => `${w.op}/${w.actor}=${w.observed}`).join("; ")}` : ""}`,
    );
  });
});
