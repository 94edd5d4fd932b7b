/**
 * Shared setup of the feature, targeting, workflow, kill-switch and preview tests: one backend, the organisation
 * of fixtures.ts, and environments and contexts written directly (their own mutations belong to other modules).
 */
import { activityLog, configChanges, contexts, contextValues, environments } from "@fluxgate/drizzle";
import { asc, eq } from "drizzle-orm";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { dataOf, type Gql } from "./support/gql";
import { startTestBackend, type TestBackend, type TestBackendOptions } from "./support/server";

export interface FeatureWorld extends Organisation {
  server: TestBackend;
  gql: Gql;
  /** Team A: `dev` deploys directly, `prod` requires approval. */
  dev: string;
  prod: string;
  /** An environment of team B. */
  otherEnv: string;
}

export async function startFeatureWorld(options: TestBackendOptions = {}): Promise<FeatureWorld> {
  const server = await startTestBackend(options);
  const org = await createOrganisation(server.gql);
  const [dev, prod, otherEnv] = await Promise.all([
    insertEnvironment(server, org.teamA.id, "dev", false),
    insertEnvironment(server, org.teamA.id, "prod", true),
    insertEnvironment(server, org.teamB.id, "dev", false),
  ]);
  return { ...org, server, gql: server.gql, dev, prod, otherEnv };
}

export async function insertEnvironment(
  server: TestBackend,
  teamId: string,
  name: string,
  requiresApproval: boolean,
): Promise<string> {
  const [row] = await server.backend.deps.db
    .insert(environments)
    .values({ teamId, name, requiresApproval })
    .returning({ id: environments.id });
  return row.id;
}

/** A context (named value list) of the team. */
export async function insertContext(server: TestBackend, teamId: string, values: string[]): Promise<string> {
  const [row] = await server.backend.deps.db
    .insert(contexts)
    .values({ teamId, key: unique("ctx") })
    .returning({ id: contexts.id });
  await server.backend.deps.db.insert(contextValues).values(values.map((value) => ({ contextId: row.id, value })));
  return row.id;
}

/** The change-feed rows of an entity, oldest first. */
export async function changesOf(server: TestBackend, entityId: string) {
  return server.backend.deps.db
    .select()
    .from(configChanges)
    .where(eq(configChanges.entityId, entityId))
    .orderBy(asc(configChanges.version));
}

/** Audit entries about an entity, oldest first. */
export async function activitiesOf(server: TestBackend, entityId: string) {
  return server.backend.deps.db
    .select()
    .from(activityLog)
    .where(eq(activityLog.entityId, entityId))
    .orderBy(asc(activityLog.createdAt));
}

export const FEATURE_FIELDS = /* GraphQL */ `
  id teamId key salt description featureType valueType defaultVariant offVariant owner tags sticky enabled
  killSwitchEnabled killSwitchActivatedAt rollbackScheduledAt dependencies
  dependsOn { featureId key variant }
  variants { key value weight description }
  relationships { sourceId targetId }
  stages {
    id environmentId orderIndex position bucketingKey status enabled parentStageId requiresApproval
    requestedBy approvedBy environment { id name }
  }
`;

export const CREATE_FEATURE = /* GraphQL */ `
  mutation($teamId: ID!, $input: CreateFeatureInput!) { createFeature(teamId: $teamId, input: $input) }
`;

export const GET_FEATURE = /* GraphQL */ `query($id: ID!) { feature(id: $id) { ${FEATURE_FIELDS} } }`;

/** A boolean feature with a dev stage (orderIndex 0) and a prod stage (1, child of dev), created by `token`. */
export function featureInput(world: FeatureWorld, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: unique("flag"),
    featureType: "SIMPLE",
    stages: [
      { environmentId: world.dev, orderIndex: 0, position: "a" },
      { environmentId: world.prod, orderIndex: 1, position: "b" },
    ],
    relationships: [{ sourceId: 0, targetId: 1 }],
    ...overrides,
  };
}

export async function createFeature(
  world: FeatureWorld,
  overrides: Record<string, unknown> = {},
  token = world.requester.token,
): Promise<string> {
  const result = await world.gql(
    CREATE_FEATURE,
    { teamId: world.teamA.id, input: featureInput(world, overrides) },
    token,
  );
  return dataOf(result).createFeature as string;
}

// biome-ignore lint/suspicious/noExplicitAny: test results are read by shape
export async function getFeature(world: FeatureWorld, id: string, token = world.viewer.token): Promise<any> {
  return dataOf(await world.gql(GET_FEATURE, { id }, token)).feature;
}

/** The stage of `feature` in `environmentId`. */
// biome-ignore lint/suspicious/noExplicitAny: test results are read by shape
export const stageIn = (feature: any, environmentId: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: test results are read by shape
  feature.stages.find((s: any) => s.environmentId === environmentId);
