/** The `pipelines` and `pipeline_stages` tables. */
import { type Executor, environments, pipelineStages, pipelines } from "@fluxgate/drizzle";
import { and, asc, count, eq, ilike, inArray } from "drizzle-orm";
import type { PageWindow } from "../environments/listing";
import type { EnvironmentRow } from "../environments/repository";
import { byName, prefixPattern } from "../environments/repository";
import type { PlannedStage } from "./stages";

export type PipelineRow = typeof pipelines.$inferSelect;
export type PipelineStageRow = typeof pipelineStages.$inferSelect;
export type StageWithEnvironment = PipelineStageRow & { environment: EnvironmentRow };

export async function findPipeline(
  ex: Executor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<PipelineRow | undefined> {
  const query = ex.select().from(pipelines).where(eq(pipelines.id, id)).limit(1);
  const [row] = options.lock ? await query.for("update") : await query;
  return row;
}

export interface PipelineFilter {
  namePrefix?: string;
  active?: boolean;
}

/** A team's pipelines by name. */
export async function listPipelines(
  ex: Executor,
  teamId: string,
  filter: PipelineFilter,
  window: PageWindow | undefined,
): Promise<{ rows: PipelineRow[]; total: number }> {
  const condition = and(
    eq(pipelines.teamId, teamId),
    filter.namePrefix === undefined ? undefined : ilike(pipelines.name, prefixPattern(filter.namePrefix)),
    filter.active === undefined ? undefined : eq(pipelines.active, filter.active),
  );
  const query = ex
    .select()
    .from(pipelines)
    .where(condition)
    .orderBy(...byName(pipelines.name, pipelines.id));
  if (!window) {
    const rows = await query;
    return { rows, total: rows.length };
  }
  const rows = await query.limit(window.limit).offset(window.offset);
  const [{ total }] = await ex.select({ total: count() }).from(pipelines).where(condition);
  return { rows, total };
}

export async function insertPipeline(
  ex: Executor,
  pipeline: Pick<PipelineRow, "teamId" | "name" | "active">,
): Promise<PipelineRow> {
  const [row] = await ex.insert(pipelines).values(pipeline).returning();
  return row;
}

export async function updatePipeline(
  ex: Executor,
  id: string,
  changes: Partial<Pick<PipelineRow, "name" | "active">>,
): Promise<PipelineRow> {
  if (Object.values(changes).every((value) => value === undefined)) return (await findPipeline(ex, id)) as PipelineRow;
  const [row] = await ex.update(pipelines).set(changes).where(eq(pipelines.id, id)).returning();
  return row;
}

export async function deletePipeline(ex: Executor, id: string): Promise<void> {
  await ex.delete(pipelines).where(eq(pipelines.id, id));
}

/** Deletes the pipeline's stages and inserts `planned` (one statement: parents are checked at its end). */
export async function replaceStages(ex: Executor, pipelineId: string, planned: PlannedStage[]): Promise<void> {
  await ex.delete(pipelineStages).where(eq(pipelineStages.pipelineId, pipelineId));
  const ids = new Map(planned.map((s) => [s.orderIndex, crypto.randomUUID()]));
  await ex.insert(pipelineStages).values(
    planned.map((s) => ({
      id: ids.get(s.orderIndex) as string,
      pipelineId,
      environmentId: s.environmentId,
      orderIndex: s.orderIndex,
      position: s.position,
      parentStageId: s.parentOrderIndex === null ? null : (ids.get(s.parentOrderIndex) as string),
    })),
  );
}

/** The stages of several pipelines with their environments, by orderIndex: one query for a whole page. */
export async function stagesOf(ex: Executor, pipelineIds: readonly string[]): Promise<StageWithEnvironment[]> {
  if (pipelineIds.length === 0) return [];
  const rows = await ex
    .select({ stage: pipelineStages, environment: environments })
    .from(pipelineStages)
    .innerJoin(environments, eq(environments.id, pipelineStages.environmentId))
    .where(inArray(pipelineStages.pipelineId, [...pipelineIds]))
    .orderBy(asc(pipelineStages.pipelineId), asc(pipelineStages.orderIndex));
  return rows.map((r) => ({ ...r.stage, environment: r.environment }));
}
