/**
 * Test data for delivery, written straight through drizzle; every configuration write records its
 * change (`recordConfigChange`) in the same transaction, as the backend's services do.
 */
import {
  clients,
  clientWebOrigins,
  contexts,
  contextValues,
  type Db,
  environments,
  featureStages,
  features,
  featureVariants,
  newClientSecret,
  recordConfigChange,
  stageRules,
  teams,
} from "@fluxgate/drizzle";
import type { ConditionGroup, Serve } from "@fluxgate/engine";
import { eq } from "drizzle-orm";

export interface TeamFixture {
  teamId: string;
  dev: string;
  prod: string;
}

export interface ClientFixture {
  id: string;
  secret: string;
}

export interface RuleInput {
  groups?: (ConditionGroup & { conditions: (ConditionGroup["conditions"][0] & { contextId?: string })[] })[];
  rollout?: number;
  serve?: Serve;
}

export interface FlagInput {
  /** Environment ids to add a stage for, with its deployed bit and rules. */
  stages?: { environmentId: string; enabled?: boolean; rules?: RuleInput[] }[];
  valueType?: "boolean" | "string" | "number" | "json";
  variants?: { key: string; value: unknown }[];
  defaultVariant?: string;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** A team with environments `dev` and `prod`. */
export async function createTeam(db: Db): Promise<TeamFixture> {
  return db.transaction(async (tx) => {
    const [team] = await tx
      .insert(teams)
      .values({ name: unique("team") })
      .returning();
    const [dev, prod] = await tx
      .insert(environments)
      .values([
        { teamId: team.id, name: "dev" },
        { teamId: team.id, name: "prod" },
      ])
      .returning();
    for (const env of [dev, prod]) {
      await recordConfigChange(tx, { teamId: team.id, entity: "environment", entityId: env.id, key: env.name });
    }
    return { teamId: team.id, dev: dev.id, prod: prod.id };
  });
}

export async function createClient(
  db: Db,
  teamId: string,
  options: { enabled?: boolean; environmentId?: string; type?: "Web" | "Backend"; origins?: string[] } = {},
): Promise<ClientFixture> {
  const secret = newClientSecret();
  return db.transaction(async (tx) => {
    const [client] = await tx
      .insert(clients)
      .values({
        teamId,
        name: unique("client"),
        clientType: options.type ?? "Backend",
        enabled: options.enabled ?? true,
        environmentId: options.environmentId ?? null,
        secretHash: secret.hash,
        secretPrefix: secret.prefix,
      })
      .returning();
    for (const origin of options.origins ?? [])
      await tx.insert(clientWebOrigins).values({ clientId: client.id, origin });
    await recordConfigChange(tx, { teamId, entity: "client", entityId: client.id, key: client.name });
    return { id: client.id, secret: secret.secret };
  });
}

export async function setClientEnabled(db: Db, clientId: string, enabled: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const [client] = await tx.update(clients).set({ enabled }).where(eq(clients.id, clientId)).returning();
    await recordConfigChange(tx, { teamId: client.teamId, entity: "client", entityId: client.id, key: client.name });
  });
}

/** A context list (e.g. `beta-users`) with values; returns its id. */
export async function createContext(db: Db, teamId: string, key: string, values: string[]): Promise<string> {
  return db.transaction(async (tx) => {
    const [context] = await tx.insert(contexts).values({ teamId, key }).returning();
    if (values.length) await tx.insert(contextValues).values(values.map((value) => ({ contextId: context.id, value })));
    await recordConfigChange(tx, { teamId, entity: "context", entityId: context.id, key });
    return context.id;
  });
}

export async function addContextValue(db: Db, teamId: string, contextId: string, value: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(contextValues).values({ contextId, value });
    await recordConfigChange(tx, { teamId, entity: "context", entityId: contextId, key: "context" });
  });
}

/** A flag with stages; returns its id and the change version. */
export async function createFlag(
  db: Db,
  teamId: string,
  key: string,
  input: FlagInput = {},
): Promise<{ id: string; version: number }> {
  return db.transaction(async (tx) => {
    const [flag] = await tx
      .insert(features)
      .values({
        teamId,
        key,
        salt: key,
        valueType: input.valueType ?? "boolean",
        defaultVariant: input.defaultVariant ?? null,
      })
      .returning();
    for (const [i, v] of (input.variants ?? []).entries()) {
      await tx.insert(featureVariants).values({ featureId: flag.id, key: v.key, value: v.value, orderIndex: i });
    }
    for (const [i, s] of (input.stages ?? []).entries()) {
      const [stage] = await tx
        .insert(featureStages)
        .values({ featureId: flag.id, environmentId: s.environmentId, orderIndex: i, enabled: s.enabled ?? true })
        .returning();
      for (const [p, r] of (s.rules ?? []).entries()) {
        await tx.insert(stageRules).values({
          stageId: stage.id,
          priority: p,
          groups: r.groups ?? [],
          rollout: String(r.rollout ?? 100),
          serve: r.serve ?? { kind: "on" },
        });
      }
    }
    const version = await recordConfigChange(tx, { teamId, entity: "feature", entityId: flag.id, key });
    return { id: flag.id, version };
  });
}

/** Kills or revives a flag; returns the change version. */
export async function setKilled(db: Db, featureId: string, killed: boolean): Promise<number> {
  return db.transaction(async (tx) => {
    const [flag] = await tx
      .update(features)
      .set({ killed, killedAt: killed ? new Date() : null })
      .where(eq(features.id, featureId))
      .returning();
    return recordConfigChange(tx, { teamId: flag.teamId, entity: "feature", entityId: flag.id, key: flag.key });
  });
}

export async function deleteFlag(db: Db, featureId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const [flag] = await tx.delete(features).where(eq(features.id, featureId)).returning();
    return recordConfigChange(tx, {
      teamId: flag.teamId,
      kind: "DELETE",
      entity: "feature",
      entityId: flag.id,
      key: flag.key,
    });
  });
}
