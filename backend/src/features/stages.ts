/**
 * Replacing a feature's stages (reference §7.3, without its bug §12-12): input stages are matched to stored ones
 * by `id`, else by environment; matched stages keep their workflow status, `enabled` bit and rules; new stages
 * start NOT_DEPLOYED and off; stages left out are deleted with their rules.
 */
import { randomUUID } from "node:crypto";
import type { Executor } from "@fluxgate/drizzle";
import { badInput } from "../errors";
import type { StageSpec } from "./input";
import * as repo from "./repository";

export interface StagePlan {
  /** Aligned with the input stages: the stored stage each one keeps, or null for a new stage. */
  kept: (repo.StageRow | null)[];
  removed: repo.StageRow[];
}

/** Matches input stages to stored ones. A stage keeps its environment: moving one is a remove plus an add. */
export function planStages(existing: repo.StageRow[], specs: StageSpec[]): StagePlan {
  const byId = new Map(existing.map((s) => [s.id, s]));
  const byEnvironment = new Map(existing.map((s) => [s.environmentId, s]));
  const kept = specs.map((spec, i) => {
    if (!spec.id) return byEnvironment.get(spec.environmentId) ?? null;
    const stored = byId.get(spec.id);
    const field = `input.stages[${i}]`;
    if (!stored) throw badInput(`${field}.id`, `${field}.id: stage ${spec.id} is not a stage of this feature`);
    if (stored.environmentId !== spec.environmentId) {
      throw badInput(
        `${field}.environmentId`,
        `${field}.environmentId: a stage keeps its environment; leave stage ${spec.id} out and add a new stage instead`,
      );
    }
    return stored;
  });
  const keptIds = new Set(kept.flatMap((s) => (s ? [s.id] : [])));
  return { kept, removed: existing.filter((s) => !keptIds.has(s.id)) };
}

/** Applies the plan; returns the stages in input order. */
export async function applyStages(
  ex: Executor,
  featureId: string,
  specs: StageSpec[],
  plan: StagePlan,
): Promise<repo.StageRow[]> {
  await repo.deleteStages(
    ex,
    plan.removed.map((s) => s.id),
  );
  const ids = specs.map((_, i) => plan.kept[i]?.id ?? randomUUID());
  const idByOrder = new Map(specs.map((s, i) => [s.orderIndex, ids[i]]));
  const parentOf = (spec: StageSpec) => (spec.parentOrderIndex === null ? null : idByOrder.get(spec.parentOrderIndex)!);
  // (feature, orderIndex) is unique: park kept stages on negative indexes so any permutation can be applied
  for (const [i, stage] of plan.kept.entries()) {
    if (stage) await repo.updateStage(ex, stage.id, { orderIndex: -1 - i });
  }
  const inserted = await repo.insertStages(
    ex,
    specs.flatMap((spec, i) =>
      plan.kept[i]
        ? []
        : [
            {
              id: ids[i],
              featureId,
              environmentId: spec.environmentId,
              orderIndex: spec.orderIndex,
              position: spec.position,
              bucketingKey: spec.bucketingKey,
              parentStageId: parentOf(spec),
            },
          ],
    ),
  );
  const byId = new Map(inserted.map((s) => [s.id, s]));
  for (const [i, spec] of specs.entries()) {
    if (!plan.kept[i]) continue;
    const row = await repo.updateStage(ex, ids[i], {
      orderIndex: spec.orderIndex,
      position: spec.position,
      bucketingKey: spec.bucketingKey,
      parentStageId: parentOf(spec),
    });
    byId.set(row.id, row);
  }
  return ids.map((id) => byId.get(id) as repo.StageRow);
}
