/**
 * A team with flags, built through the backend's public GraphQL API (so it works against a backend process),
 * and the edge requests the fault tests make. Flags are boolean, not sticky (an edge's answer is then a pure
 * function of its store), with one stage in one environment and one rule for everyone whose rollout decides:
 * 100 → on for every user, 0 → off for every user, anything else → a split the engine computes.
 */
import { createFirstAdmin, type Session } from "../../../backend/test/support/fixtures.ts";
import { dataOf, type Gql, gqlClient } from "../../../backend/test/support/gql.ts";

export interface Flag {
  key: string;
  id: string;
  stageId: string;
}

export interface World {
  gql: Gql;
  backendUrl: string;
  admin: Session;
  teamId: string;
  envId: string;
  envName: string;
  client: { id: string; secret: string };
  flags: Map<string, Flag>;
}

export async function setupWorld(
  backendUrl: string,
  options: { flags?: string[]; rollout?: number; admin?: Session } = {},
): Promise<World> {
  const gql = gqlClient(`${backendUrl}/graphql`);
  const admin = options.admin ?? (await createFirstAdmin(gql));
  const team = dataOf(
    await gql(
      `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
      { input: { name: `team-${crypto.randomUUID().slice(0, 8)}` } },
      admin.token,
    ),
  ).createTeam.id as string;
  const envName = "prod";
  const envId = dataOf(
    await gql(
      `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id } }`,
      { teamId: team, input: { name: envName, active: true, requiresApproval: false } },
      admin.token,
    ),
  ).createEnvironment.id as string;
  const created = dataOf(
    await gql(
      `mutation($teamId: ID!, $input: CreateClientInput!) {
        createClient(teamId: $teamId, input: $input) { secret client { id } } }`,
      { teamId: team, input: { name: "edge-client", clientType: "BACKEND" } },
      admin.token,
    ),
  ).createClient;
  const world: World = {
    gql,
    backendUrl,
    admin,
    teamId: team,
    envId,
    envName,
    client: { id: created.client.id, secret: created.secret },
    flags: new Map(),
  };
  for (const key of options.flags ?? []) await createFlag(world, key, options.rollout ?? 100);
  return world;
}

/** Calls `gql` as the admin and throws on any error. */
// biome-ignore lint/suspicious/noExplicitAny: results are read by shape
export async function adminGql(world: World, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  return dataOf(await world.gql(query, variables, world.admin.token));
}

/** A deployed boolean flag, not sticky, with one rule for everyone at `rollout` %. */
export async function createFlag(world: World, key: string, rollout = 100): Promise<Flag> {
  const id = (
    await adminGql(
      world,
      `mutation($teamId: ID!, $input: CreateFeatureInput!) { createFeature(teamId: $teamId, input: $input) }`,
      {
        teamId: world.teamId,
        input: {
          key,
          featureType: "SIMPLE",
          sticky: false,
          stages: [{ environmentId: world.envId, orderIndex: 0, position: "a" }],
        },
      },
    )
  ).createFeature as string;
  const feature = (await adminGql(world, `query($id: ID!) { feature(id: $id) { stages { id } } }`, { id })).feature;
  const flag: Flag = { key, id, stageId: feature.stages[0].id };
  await setRollout(world, flag, rollout);
  await adminGql(world, `mutation($stageId: ID!) { requestStageChange(stageId: $stageId, request: DEPLOYED) { id } }`, {
    stageId: flag.stageId,
  });
  world.flags.set(key, flag);
  return flag;
}

export async function setRollout(world: World, flag: Flag, rollout: number): Promise<void> {
  await adminGql(
    world,
    `mutation($stageId: ID!, $rules: [StageRuleInput!]!) { setStageRules(stageId: $stageId, rules: $rules) { id } }`,
    { stageId: flag.stageId, rules: [{ rollout }] },
  );
}

export async function deleteFlag(world: World, flag: Flag): Promise<void> {
  await adminGql(world, `mutation($id: ID!) { deleteFeature(id: $id) }`, { id: flag.id });
  world.flags.delete(flag.key);
}

export async function killFlag(world: World, flag: Flag): Promise<void> {
  await adminGql(world, `mutation($id: ID!) { emergencyDisableFeature(id: $id) { id } }`, { id: flag.id });
}

/** What the backend's engine says (previewEvaluation: the reference evaluator over the stored flag). */
export async function preview(world: World, flag: Flag, user: string): Promise<{ enabled: boolean; variant: string }> {
  const result = await adminGql(
    world,
    `query($f: ID!, $e: ID!, $c: JSON!) { previewEvaluation(featureId: $f, environmentId: $e, context: $c) { enabled variant reason } }`,
    { f: flag.id, e: world.envId, c: { targetingKey: user } },
  );
  return result.previewEvaluation;
}

export interface EdgeAnswer {
  status: number;
  enabled?: boolean;
  variant?: string;
  reason?: string;
  version?: number;
  error_code?: string;
}

/** `POST /evaluate` with the edge's own credentials. */
export async function evaluate(edgeUrl: string, key: string, user: string, envName = "prod"): Promise<EdgeAnswer> {
  const response = await fetch(`${edgeUrl}/evaluate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      feature_key: key,
      environment_id: envName,
      context: [{ key: "targetingKey", value: user }],
    }),
  });
  return { status: response.status, ...((await response.json()) as Omit<EdgeAnswer, "status">) };
}

/** A load target: `/evaluate` for one of `keys` round-robin; right = 200 with a boolean `enabled`. */
export function evaluateTarget(edgeUrls: string[], keys: () => string[], envName = "prod") {
  return {
    send: async (i: number): Promise<string | null> => {
      const list = keys();
      const key = list[i % list.length];
      const url = edgeUrls[i % edgeUrls.length];
      const response = await fetch(`${url}/evaluate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"feature_key":"${key}","environment_id":"${envName}","context":[{"key":"targetingKey","value":"u-${i % 997}"}]}`,
      });
      const text = await response.text();
      if (response.status !== 200) return `HTTP ${response.status} ${text.slice(0, 80)}`;
      return /"enabled":(true|false)/.test(text) ? null : `bad body ${text.slice(0, 80)}`;
    },
  };
}
