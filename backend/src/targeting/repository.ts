/** The `stage_rules` and `stage_rule_contexts` tables, and the contexts rules take their values from. */
import { contexts, type Executor, stageRuleContexts, stageRules } from "@fluxgate/drizzle";
import { and, asc, eq, inArray } from "drizzle-orm";
import { type ContextWithEntries, withEntries } from "../contexts/repository";

export type RuleRow = typeof stageRules.$inferSelect;
export type NewRule = typeof stageRules.$inferInsert;
export type { ContextWithEntries } from "../contexts/repository";

/** Rules of the stages, by stage then priority. */
export async function rulesOf(ex: Executor, stageIds: string[]): Promise<RuleRow[]> {
  if (stageIds.length === 0) return [];
  return ex
    .select()
    .from(stageRules)
    .where(inArray(stageRules.stageId, stageIds))
    .orderBy(asc(stageRules.stageId), asc(stageRules.priority));
}

/** Replaces every rule of the stage (their context links go with them) and links the contexts each one reads. */
export async function replaceRules(
  ex: Executor,
  stageId: string,
  rules: (NewRule & { id: string; contextIds: string[] })[],
): Promise<RuleRow[]> {
  await ex.delete(stageRules).where(eq(stageRules.stageId, stageId));
  if (rules.length === 0) return [];
  const rows = await ex
    .insert(stageRules)
    .values(rules.map(({ contextIds: _, ...rule }) => rule))
    .returning();
  const links = rules.flatMap((r) => r.contextIds.map((contextId) => ({ ruleId: r.id, contextId })));
  if (links.length > 0) await ex.insert(stageRuleContexts).values(links);
  return rows.sort((a, b) => a.priority - b.priority);
}

/** Contexts by id with their entries (sorted by value); `teamId` limits them to one team. */
export async function contextsOf(ex: Executor, ids: string[], teamId?: string): Promise<ContextWithEntries[]> {
  if (ids.length === 0) return [];
  const rows = await ex
    .select()
    .from(contexts)
    .where(and(inArray(contexts.id, ids), teamId ? eq(contexts.teamId, teamId) : undefined));
  return withEntries(ex, rows);
}
