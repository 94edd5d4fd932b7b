/**
 * A pipeline's stage graph as given in the input (reference §2.4, §7.2): stages with unique environments and
 * orderIndexes, and exactly stages−1 relationships `{sourceId, targetId}` naming orderIndexes, each stage with at
 * most one parent and no cycles — a tree (usually a chain). Pure: the service checks the environments' team.
 */
import { badInput } from "../errors";
import * as v from "../validation";

export interface StageInput {
  environmentId: string;
  orderIndex: number;
  position: string;
}

export interface RelationshipInput {
  sourceId: number;
  targetId: number;
}

export interface PlannedStage {
  environmentId: string;
  orderIndex: number;
  position: string;
  /** orderIndex of the stage it comes after; null for the root. */
  parentOrderIndex: number | null;
}

const POSITION = { min: 1, max: 50 };
const MAX_STAGES = 100;

export function planStages(stages: StageInput[], relationships: RelationshipInput[]): PlannedStage[] {
  if (stages.length === 0) throw badInput("input.stages", "input.stages needs at least one stage");
  if (stages.length > MAX_STAGES) throw badInput("input.stages", `a pipeline has at most ${MAX_STAGES} stages`);
  const planned = stages.map(checkStage);
  checkDistinct(planned, "environmentId", (s) => s.environmentId);
  checkDistinct(planned, "orderIndex", (s) => s.orderIndex);
  if (relationships.length !== stages.length - 1) {
    throw badInput(
      "input.relationships",
      `a pipeline of ${stages.length} stages needs exactly ${stages.length - 1} relationships (got ${relationships.length})`,
    );
  }
  const byIndex = new Map(planned.map((s) => [s.orderIndex, s]));
  relationships.forEach((r, i) => {
    const field = `input.relationships[${i}]`;
    if (!byIndex.has(r.sourceId))
      throw badInput(`${field}.sourceId`, `${field}.sourceId: no stage has orderIndex ${r.sourceId}`);
    const target = byIndex.get(r.targetId);
    if (!target) throw badInput(`${field}.targetId`, `${field}.targetId: no stage has orderIndex ${r.targetId}`);
    if (target.parentOrderIndex !== null) {
      throw badInput(`${field}.targetId`, `${field}.targetId: stage ${r.targetId} already comes after another stage`);
    }
    target.parentOrderIndex = r.sourceId;
  });
  checkAcyclic(byIndex);
  return planned;
}

function checkStage(stage: StageInput, i: number): PlannedStage {
  const field = `input.stages[${i}]`;
  if (stage.orderIndex < 0) throw badInput(`${field}.orderIndex`, `${field}.orderIndex must be 0 or more`);
  return {
    environmentId: v.uuid(`${field}.environmentId`, stage.environmentId),
    orderIndex: stage.orderIndex,
    position: v.text(`${field}.position`, stage.position, POSITION),
    parentOrderIndex: null,
  };
}

function checkDistinct<T>(planned: PlannedStage[], name: string, key: (s: PlannedStage) => T): void {
  const seen = new Set<T>();
  planned.forEach((stage, i) => {
    const value = key(stage);
    if (seen.has(value)) {
      throw badInput(`input.stages[${i}].${name}`, `input.stages[${i}].${name}: ${value} is used by two stages`);
    }
    seen.add(value);
  });
}

/** Walks up from every stage; meeting a stage again on the way means a cycle. */
function checkAcyclic(byIndex: Map<number, PlannedStage>): void {
  for (const start of byIndex.values()) {
    const path = [start.orderIndex];
    let parent = start.parentOrderIndex;
    while (parent !== null) {
      if (path.includes(parent)) {
        const cycle = [...path.slice(path.indexOf(parent)), parent].reverse().join(" → ");
        throw badInput("input.relationships", `input.relationships form a cycle: ${cycle}`);
      }
      path.push(parent);
      parent = byIndex.get(parent)?.parentOrderIndex ?? null;
    }
  }
}
