/** `seedDemo(db)`: the demo team `npm start` shows on an empty database. No user accounts (no default passwords). */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { newClientSecret } from "./client-secret.ts";
import { recordConfigChange } from "./config-change.ts";
import {
  DEMO_CLIENT,
  DEMO_CONTEXT,
  DEMO_ENVIRONMENTS,
  DEMO_FEATURES,
  DEMO_TEAM,
  type DemoFeature,
  type DemoRule,
} from "./demo-data.ts";
import {
  clients,
  contexts,
  contextValues,
  environments,
  featureDependencies,
  featureStages,
  features,
  featureVariants,
  pipelineStages,
  pipelines,
  stageRuleContexts,
  stageRules,
  teams,
} from "./schema/index.ts";
import type { Db, Tx } from "./types.ts";

export interface DemoSeedResult {
  teamId: string;
  clientId: string;
  /** Shown once: only its hash is stored. */
  clientSecret: string;
}

type EnvIds = { name: string; id: string }[];

/** Seeds the demo team when the database has no team; otherwise changes nothing and returns undefined. */
export async function seedDemo(db: Db): Promise<DemoSeedResult | undefined> {
  return db.transaction(async (tx) => {
    // two replicas starting on one empty database: the second waits, then sees the team
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('fluxgate:demo-seed'))`);
    const [existing] = await tx.select({ id: teams.id }).from(teams).limit(1);
    return existing ? undefined : insertDemo(tx);
  });
}

async function insertDemo(tx: Tx): Promise<DemoSeedResult> {
  const [{ id: teamId }] = await tx.insert(teams).values(DEMO_TEAM).returning({ id: teams.id });
  await recordConfigChange(tx, { teamId, entity: "team", entityId: teamId, key: DEMO_TEAM.name });
  const envIds = await insertEnvironments(tx, teamId);
  await insertPipeline(tx, teamId, envIds);
  const contextId = await insertContext(tx, teamId);
  const featureIds = new Map<string, string>();
  for (const feature of DEMO_FEATURES) {
    featureIds.set(feature.key, await insertFeature(tx, teamId, feature, { envIds, contextId, featureIds }));
  }
  const client = await insertClient(tx, teamId);
  return { teamId, clientId: client.id, clientSecret: client.secret };
}

async function insertEnvironments(tx: Tx, teamId: string): Promise<EnvIds> {
  const rows = await tx
    .insert(environments)
    .values(DEMO_ENVIRONMENTS.map((env) => ({ ...env, teamId })))
    .returning({ id: environments.id, name: environments.name });
  for (const env of rows) {
    await recordConfigChange(tx, { teamId, entity: "environment", entityId: env.id, key: env.name });
  }
  return DEMO_ENVIRONMENTS.map((env) => rows.find((row) => row.name === env.name)!);
}

/** A straight pipeline development → staging → production (a template; nothing is delivered for it). */
async function insertPipeline(tx: Tx, teamId: string, envIds: EnvIds): Promise<void> {
  const [{ id: pipelineId }] = await tx
    .insert(pipelines)
    .values({ teamId, name: "Default" })
    .returning({ id: pipelines.id });
  const ids = envIds.map(() => randomUUID());
  await tx.insert(pipelineStages).values(
    envIds.map((env, i) => ({
      id: ids[i],
      pipelineId,
      environmentId: env.id,
      parentStageId: i === 0 ? null : ids[i - 1],
      orderIndex: i,
      position: layout(i),
    })),
  );
}

async function insertContext(tx: Tx, teamId: string): Promise<string> {
  const [{ id }] = await tx
    .insert(contexts)
    .values({ teamId, key: DEMO_CONTEXT.key, description: DEMO_CONTEXT.description })
    .returning({ id: contexts.id });
  await tx.insert(contextValues).values(DEMO_CONTEXT.values.map((value) => ({ contextId: id, value })));
  await recordConfigChange(tx, { teamId, entity: "context", entityId: id, key: DEMO_CONTEXT.key });
  return id;
}

interface FeatureRefs {
  envIds: EnvIds;
  contextId: string;
  featureIds: Map<string, string>;
}

/** The feature with its variants, one stage per environment (chained), rules and dependency. */
async function insertFeature(tx: Tx, teamId: string, feature: DemoFeature, refs: FeatureRefs): Promise<string> {
  const [{ id }] = await tx
    .insert(features)
    .values({
      teamId,
      key: feature.key,
      salt: feature.key,
      description: feature.description,
      featureType: feature.featureType,
      valueType: feature.valueType,
      defaultVariant: feature.defaultVariant,
      offVariant: feature.offVariant,
    })
    .returning({ id: features.id });
  if (feature.variants) {
    await tx
      .insert(featureVariants)
      .values(feature.variants.map((v, orderIndex) => ({ ...v, featureId: id, orderIndex })));
  }
  const stageIds = await insertStages(tx, id, feature, refs.envIds);
  if (feature.rule) await insertRules(tx, stageIds, feature.rule(refs.contextId), refs.contextId);
  if (feature.dependsOn) {
    await tx
      .insert(featureDependencies)
      .values({ featureId: id, dependsOnId: refs.featureIds.get(feature.dependsOn)! });
  }
  await recordConfigChange(tx, { teamId, entity: "feature", entityId: id, key: feature.key });
  return id;
}

/** Stages with coherent workflow bits: DEPLOYED and enabled where listed, NOT_DEPLOYED and off elsewhere. */
async function insertStages(tx: Tx, featureId: string, feature: DemoFeature, envIds: EnvIds): Promise<string[]> {
  const ids = envIds.map(() => randomUUID());
  await tx.insert(featureStages).values(
    envIds.map((env, i) => {
      const deployed = (feature.deployedIn as string[]).includes(env.name);
      return {
        id: ids[i],
        featureId,
        environmentId: env.id,
        parentStageId: i === 0 ? null : ids[i - 1],
        orderIndex: i,
        position: layout(i),
        status: deployed ? "DEPLOYED" : "NOT_DEPLOYED",
        enabled: deployed,
      };
    }),
  );
  return ids;
}

/** The same rule on every stage, so deploying further keeps the targeting. */
async function insertRules(tx: Tx, stageIds: string[], rule: DemoRule, contextId: string): Promise<void> {
  const rows = await tx
    .insert(stageRules)
    .values(
      stageIds.map((stageId) => ({
        stageId,
        priority: 0,
        groups: rule.groups,
        rollout: rule.rollout,
        serve: rule.serve,
      })),
    )
    .returning({ id: stageRules.id });
  if (rule.usesContext) await tx.insert(stageRuleContexts).values(rows.map((r) => ({ ruleId: r.id, contextId })));
}

async function insertClient(tx: Tx, teamId: string): Promise<{ id: string; secret: string }> {
  const { secret, hash, prefix } = newClientSecret();
  const [{ id }] = await tx
    .insert(clients)
    .values({ ...DEMO_CLIENT, teamId, clientType: "Backend", secretHash: hash, secretPrefix: prefix })
    .returning({ id: clients.id });
  await recordConfigChange(tx, { teamId, entity: "client", entityId: id, key: DEMO_CLIENT.name });
  return { id, secret };
}

/** Console layout of stage `i`: left to right. */
const layout = (i: number): string => JSON.stringify({ x: 80 + 220 * i, y: 80 });
