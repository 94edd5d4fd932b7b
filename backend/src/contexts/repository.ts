/** The `contexts` and `context_values` tables, and the rules that use a context. */
import {
  contexts,
  contextValues,
  type Executor,
  featureStages,
  features,
  stageRuleContexts,
  stageRules,
} from "@fluxgate/drizzle";
import { and, asc, count, eq, ilike, inArray } from "drizzle-orm";
import type { PageWindow } from "../environments/listing";
import { byName, prefixPattern } from "../environments/repository";

export type ContextRow = typeof contexts.$inferSelect;
export type ContextValueRow = typeof contextValues.$inferSelect;
export type ContextWithEntries = ContextRow & { entries: { id: string; value: string }[] };

// two parameters per row; Postgres allows 65,535 per statement
const INSERT_CHUNK = 5_000;

export async function findContext(
  ex: Executor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ContextRow | undefined> {
  const query = ex.select().from(contexts).where(eq(contexts.id, id)).limit(1);
  const [row] = options.lock ? await query.for("update") : await query;
  return row;
}

/** A team's contexts by key; `keyPrefix` is case-insensitive. */
export async function listContexts(
  ex: Executor,
  teamId: string,
  filter: { keyPrefix?: string },
  window: PageWindow | undefined,
): Promise<{ rows: ContextRow[]; total: number }> {
  const condition = and(
    eq(contexts.teamId, teamId),
    filter.keyPrefix === undefined ? undefined : ilike(contexts.key, prefixPattern(filter.keyPrefix)),
  );
  const query = ex
    .select()
    .from(contexts)
    .where(condition)
    .orderBy(...byName(contexts.key, contexts.id));
  if (!window) {
    const rows = await query;
    return { rows, total: rows.length };
  }
  const rows = await query.limit(window.limit).offset(window.offset);
  const [{ total }] = await ex.select({ total: count() }).from(contexts).where(condition);
  return { rows, total };
}

/** The contexts with their entries (sorted by value), in the order given: one query for the entries. */
export async function withEntries(ex: Executor, rows: ContextRow[]): Promise<ContextWithEntries[]> {
  if (rows.length === 0) return [];
  const values = await ex
    .select({ id: contextValues.id, contextId: contextValues.contextId, value: contextValues.value })
    .from(contextValues)
    .where(
      inArray(
        contextValues.contextId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(contextValues.value));
  const byContext = new Map<string, { id: string; value: string }[]>(rows.map((r) => [r.id, []]));
  for (const { contextId, id, value } of values) byContext.get(contextId)?.push({ id, value });
  return rows.map((r) => ({ ...r, entries: byContext.get(r.id) ?? [] }));
}

export async function insertContext(
  ex: Executor,
  context: Pick<ContextRow, "teamId" | "key" | "description">,
): Promise<ContextRow> {
  const [row] = await ex.insert(contexts).values(context).returning();
  return row;
}

export async function updateContext(
  ex: Executor,
  id: string,
  changes: Partial<Pick<ContextRow, "key" | "description">>,
): Promise<ContextRow> {
  if (Object.values(changes).every((value) => value === undefined)) return (await findContext(ex, id)) as ContextRow;
  const [row] = await ex.update(contexts).set(changes).where(eq(contexts.id, id)).returning();
  return row;
}

export async function replaceValues(ex: Executor, contextId: string, values: string[]): Promise<void> {
  await ex.delete(contextValues).where(eq(contextValues.contextId, contextId));
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await ex.insert(contextValues).values(values.slice(i, i + INSERT_CHUNK).map((value) => ({ contextId, value })));
  }
}

export async function deleteContext(ex: Executor, id: string): Promise<void> {
  await ex.delete(contexts).where(eq(contexts.id, id));
}

/** Keys of the features whose stage rules take values from the context. */
export async function featuresUsing(ex: Executor, contextId: string): Promise<string[]> {
  const rows = await ex
    .selectDistinct({ key: features.key })
    .from(stageRuleContexts)
    .innerJoin(stageRules, eq(stageRules.id, stageRuleContexts.ruleId))
    .innerJoin(featureStages, eq(featureStages.id, stageRules.stageId))
    .innerJoin(features, eq(features.id, featureStages.featureId))
    .where(eq(stageRuleContexts.contextId, contextId))
    .orderBy(asc(features.key));
  return rows.map((r) => r.key);
}
