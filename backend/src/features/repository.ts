/** The `features`, `feature_variants`, `feature_stages` and `feature_dependencies` tables. */
import {
  type Executor,
  environments,
  featureDependencies,
  featureStages,
  features,
  featureVariants,
} from "@fluxgate/drizzle";
import { and, asc, count, eq, ilike, inArray, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { PageWindow } from "../environments/listing";
import { prefixPattern } from "../environments/repository";

export type FeatureRow = typeof features.$inferSelect;
export type NewFeature = typeof features.$inferInsert;
export type VariantRow = typeof featureVariants.$inferSelect;
export type StageRow = typeof featureStages.$inferSelect;
export type NewStage = typeof featureStages.$inferInsert;
export type EnvironmentRow = typeof environments.$inferSelect;
export type DependencyRow = typeof featureDependencies.$inferSelect & { dependsOnKey: string };

export interface FeatureFilter {
  /** Undefined = every team. */
  teamIds?: string[];
  /** Case-insensitive prefix of the key (an exact key is its own prefix). */
  keyPrefix?: string;
  featureType?: string;
}

function where(filter: FeatureFilter): SQL | undefined {
  if (filter.teamIds?.length === 0) return sql`false`;
  return and(
    filter.teamIds ? inArray(features.teamId, filter.teamIds) : undefined,
    filter.keyPrefix ? ilike(features.key, prefixPattern(filter.keyPrefix)) : undefined,
    filter.featureType ? eq(features.featureType, filter.featureType) : undefined,
  );
}

export async function findFeature(ex: Executor, id: string): Promise<FeatureRow | undefined> {
  const [row] = await ex.select().from(features).where(eq(features.id, id)).limit(1);
  return row;
}

/** The feature row, locked until the transaction ends (writers of one feature queue up). */
export async function lockFeature(ex: Executor, id: string): Promise<FeatureRow | undefined> {
  const [row] = await ex.select().from(features).where(eq(features.id, id)).limit(1).for("update");
  return row;
}

/** Features (not feature×stage rows) ordered by key; `total` counts the same filter. No window = all of them. */
export async function listFeatures(
  ex: Executor,
  filter: FeatureFilter & { where?: SQL },
  window: PageWindow | undefined,
): Promise<{ rows: FeatureRow[]; total: number }> {
  const condition = and(where(filter), filter.where);
  const query = ex.select().from(features).where(condition).orderBy(asc(features.key), asc(features.id));
  if (!window) {
    const rows = await query;
    return { rows, total: rows.length };
  }
  const rows = await query.limit(window.limit).offset(window.offset);
  const [{ total }] = await ex.select({ total: count() }).from(features).where(condition);
  return { rows, total };
}

export async function countFeatures(ex: Executor, teamIds?: string[]): Promise<number> {
  const [{ total }] = await ex.select({ total: count() }).from(features).where(where({ teamIds }));
  return total;
}

export async function insertFeature(ex: Executor, values: NewFeature): Promise<FeatureRow> {
  const [row] = await ex.insert(features).values(values).returning();
  return row;
}

export async function updateFeature(ex: Executor, id: string, values: Partial<NewFeature>): Promise<FeatureRow> {
  const [row] = await ex.update(features).set(values).where(eq(features.id, id)).returning();
  return row;
}

export async function deleteFeature(ex: Executor, id: string): Promise<void> {
  await ex.delete(features).where(eq(features.id, id));
}

export async function variantsOf(ex: Executor, featureIds: string[]): Promise<VariantRow[]> {
  if (featureIds.length === 0) return [];
  return ex
    .select()
    .from(featureVariants)
    .where(inArray(featureVariants.featureId, featureIds))
    .orderBy(asc(featureVariants.featureId), asc(featureVariants.orderIndex));
}

export async function replaceVariants(
  ex: Executor,
  featureId: string,
  variants: { key: string; value: unknown; weight: number; description: string | null }[],
): Promise<void> {
  await ex.delete(featureVariants).where(eq(featureVariants.featureId, featureId));
  if (variants.length === 0) return;
  await ex.insert(featureVariants).values(variants.map((v, orderIndex) => ({ ...v, featureId, orderIndex })));
}

/** Stages of the features, by feature then order index. */
export async function stagesOf(ex: Executor, featureIds: string[]): Promise<StageRow[]> {
  if (featureIds.length === 0) return [];
  return ex
    .select()
    .from(featureStages)
    .where(inArray(featureStages.featureId, featureIds))
    .orderBy(asc(featureStages.featureId), asc(featureStages.orderIndex));
}

export interface StageContext {
  stage: StageRow;
  feature: FeatureRow;
  environment: EnvironmentRow;
}

/** A stage with its feature and environment; `lock` takes the stage row for update. */
export async function findStage(ex: Executor, stageId: string, lock = false): Promise<StageContext | undefined> {
  const query = ex
    .select({ stage: featureStages, feature: features, environment: environments })
    .from(featureStages)
    .innerJoin(features, eq(features.id, featureStages.featureId))
    .innerJoin(environments, eq(environments.id, featureStages.environmentId))
    .where(eq(featureStages.id, stageId))
    .limit(1);
  const [row] = lock ? await query.for("update", { of: featureStages }) : await query;
  return row;
}

export async function insertStages(ex: Executor, stages: NewStage[]): Promise<StageRow[]> {
  if (stages.length === 0) return [];
  return ex.insert(featureStages).values(stages).returning();
}

export async function updateStage(ex: Executor, id: string, values: Partial<NewStage>): Promise<StageRow> {
  const [row] = await ex.update(featureStages).set(values).where(eq(featureStages.id, id)).returning();
  return row;
}

export async function deleteStages(ex: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await ex.delete(featureStages).where(inArray(featureStages.id, ids));
}

/** Environments by id, limited to one team (ids of other teams are simply absent). */
export async function environmentsOf(ex: Executor, ids: string[], teamId?: string): Promise<EnvironmentRow[]> {
  if (ids.length === 0) return [];
  return ex
    .select()
    .from(environments)
    .where(and(inArray(environments.id, ids), teamId ? eq(environments.teamId, teamId) : undefined));
}

/** Dependencies of the features with the depended-on key, by feature then key. */
export async function dependenciesOf(ex: Executor, featureIds: string[]): Promise<DependencyRow[]> {
  if (featureIds.length === 0) return [];
  const target = alias(features, "target");
  const rows = await ex
    .select({ dependency: featureDependencies, key: target.key })
    .from(featureDependencies)
    .innerJoin(target, eq(target.id, featureDependencies.dependsOnId))
    .where(inArray(featureDependencies.featureId, featureIds))
    .orderBy(asc(featureDependencies.featureId), asc(target.key));
  return rows.map((r) => ({ ...r.dependency, dependsOnKey: r.key }));
}

/** Features that depend on `featureId`, by key. */
export async function dependentsOf(ex: Executor, featureId: string): Promise<Pick<FeatureRow, "id" | "key">[]> {
  return ex
    .select({ id: features.id, key: features.key })
    .from(featureDependencies)
    .innerJoin(features, eq(features.id, featureDependencies.featureId))
    .where(eq(featureDependencies.dependsOnId, featureId))
    .orderBy(asc(features.key));
}

export async function replaceDependencies(
  ex: Executor,
  featureId: string,
  dependencies: { dependsOnId: string; variant: string | null }[],
): Promise<void> {
  await ex.delete(featureDependencies).where(eq(featureDependencies.featureId, featureId));
  if (dependencies.length === 0) return;
  await ex.insert(featureDependencies).values(dependencies.map((d) => ({ ...d, featureId })));
}

/** Features of a team by id (ids of other teams are absent). */
export async function featuresByIds(ex: Executor, teamId: string, ids: string[]): Promise<FeatureRow[]> {
  if (ids.length === 0) return [];
  return ex
    .select()
    .from(features)
    .where(and(eq(features.teamId, teamId), inArray(features.id, ids)));
}

/** What dependency validation needs of every flag of a team: key, value type, variant keys and dependencies. */
export async function dependencyGraph(
  ex: Executor,
  teamId: string,
): Promise<{ id: string; key: string; valueType: string; variants: string[]; dependsOn: DependencyRow[] }[]> {
  const rows = await ex
    .select({ id: features.id, key: features.key, valueType: features.valueType })
    .from(features)
    .where(eq(features.teamId, teamId));
  const ids = rows.map((r) => r.id);
  const [variants, dependencies] = await Promise.all([variantsOf(ex, ids), dependenciesOf(ex, ids)]);
  const variantKeys = groupBy(variants, (v) => v.featureId);
  const dependsOn = groupBy(dependencies, (d) => d.featureId);
  return rows.map((r) => ({
    ...r,
    variants: (variantKeys.get(r.id) ?? []).map((v) => v.key),
    dependsOn: dependsOn.get(r.id) ?? [],
  }));
}

/** Items grouped by a key, keeping their order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}
