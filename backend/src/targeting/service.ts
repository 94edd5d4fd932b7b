/**
 * Targeting of a stage: its ordered rules (`stageRules` / `setStageRules`), the original's criteria view of them
 * (`getStageCriteria` / `setStageCriteria`) and its bucketing key (`updateStage`). A replace is one transaction:
 * the rules are written, the flag is rebuilt exactly as delivery builds it and checked by the engine, and any
 * problem rolls everything back.
 */
import type { Executor } from "@fluxgate/drizzle";
import { validateFlag } from "@fluxgate/engine";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import { loadFlagRecords } from "../delivery/snapshot-repository";
import type { AppDeps } from "../deps";
import { badInput, withDbErrors } from "../errors";
import { stageFor, stageMetadata } from "../features/access";
import { bucketingKey } from "../features/input";
import * as features from "../features/repository";
import * as repo from "./repository";
import { type CriterionInput, criteriaToRules, parseRules, type RuleInput, type StoredRule } from "./rules-input";

export type { RuleRow } from "./repository";

/** The original's criterion: a rule `contextKey in <context>` with a rollout, serving on. */
export interface Criterion {
  id: string;
  stageId: string;
  contextKey: string;
  contextId: string;
  rolloutPercentage: number;
}

/** Rules of the stage by priority (first match wins). */
export async function stageRules(deps: AppDeps, actor: Actor, stageId: string): Promise<repo.RuleRow[]> {
  const { stage } = await stageFor(deps.db, actor, stageId, "team:read");
  return repo.rulesOf(deps.db, [stage.id]);
}

/** Replaces every rule of the stage; their order is their priority. */
export async function setStageRules(
  deps: AppDeps,
  actor: Actor,
  stageId: string,
  rules: RuleInput[],
): Promise<repo.RuleRow[]> {
  return replaceRules(
    deps,
    actor,
    stageId,
    () => parseRules(rules),
    (i, rest) => `rules[${i}]${rest}`,
  );
}

/** The rules of the stage that have the criterion shape (richer rules are only visible through `stageRules`). */
export async function getStageCriteria(deps: AppDeps, actor: Actor, stageId: string): Promise<Criterion[]> {
  return toCriteria(await stageRules(deps, actor, stageId));
}

/** Replaces every rule of the stage with one rule per criterion, in order. */
export async function setStageCriteria(
  deps: AppDeps,
  actor: Actor,
  stageId: string,
  criteria: CriterionInput[],
): Promise<Criterion[]> {
  const criterionField = (i: number, rest: string) => {
    const field = rest === ".rollout" ? ".rolloutPercentage" : /\.(contextKey|contextId)$/.exec(rest)?.[0];
    return `criteria[${i}]${field ?? ""}`;
  };
  return toCriteria(await replaceRules(deps, actor, stageId, () => criteriaToRules(criteria), criterionField));
}

/** Sets the stage's bucketing key (null or empty: the engine's default, targetingKey then userId). */
export async function updateStage(
  deps: AppDeps,
  actor: Actor,
  stageId: string,
  input: { bucketingKey?: string | null },
): Promise<features.StageRow> {
  return deps.db.transaction(async (tx) => {
    const found = await stageFor(tx, actor, stageId, "targeting:write", { lock: true });
    const { stage, feature, environment } = found;
    if (input.bucketingKey === undefined) return stage;
    const after = await features.updateStage(tx, stage.id, {
      bucketingKey: bucketingKey("input.bucketingKey", input.bucketingKey),
    });
    await recordActivity(tx, {
      teamId: feature.teamId,
      activityType: "feature_updated",
      entityType: "stage",
      entityId: stage.id,
      actor,
      description: `Set the bucketing key of feature '${feature.key}' in environment '${environment.name}'`,
      metadata: { ...stageMetadata(found), bucketing_key: after.bucketingKey },
      before: stage,
      after,
    });
    await recordChange(tx, { teamId: feature.teamId, entity: "feature", entityId: feature.id, key: feature.key });
    return after;
  });
}

type FieldOf = (ruleIndex: number, rest: string) => string;

async function replaceRules(
  deps: AppDeps,
  actor: Actor,
  stageId: string,
  parse: () => StoredRule[],
  fieldOf: FieldOf,
): Promise<repo.RuleRow[]> {
  return withDbErrors({ entity: "rule" }, () =>
    deps.db.transaction(async (tx) => {
      const found = await stageFor(tx, actor, stageId, "targeting:write", { lock: true });
      const { stage, feature, environment } = found;
      const rules = parse();
      await checkContexts(tx, feature.teamId, rules, fieldOf);
      const before = await repo.rulesOf(tx, [stage.id]);
      const after = await repo.replaceRules(
        tx,
        stage.id,
        rules.map(({ rollout, ...rule }, priority) => ({
          ...rule,
          stageId: stage.id,
          priority,
          rollout: String(rollout),
        })),
      );
      await checkStoredFlag(tx, feature.id, stage.environmentId, fieldOf);
      await recordActivity(tx, {
        teamId: feature.teamId,
        activityType: "criteria_updated",
        entityType: "stage",
        entityId: stage.id,
        actor,
        description: `Updated the targeting of feature '${feature.key}' in environment '${environment.name}'`,
        metadata: { ...stageMetadata(found), rules: after.length },
        before,
        after,
      });
      await recordChange(tx, { teamId: feature.teamId, entity: "feature", entityId: feature.id, key: feature.key });
      return after;
    }),
  );
}

/** Every context a rule reads must be one of the team's. */
async function checkContexts(ex: Executor, teamId: string, rules: StoredRule[], fieldOf: FieldOf): Promise<void> {
  const found = new Set(
    (await repo.contextsOf(ex, [...new Set(rules.flatMap((r) => r.contextIds))], teamId)).map((c) => c.id),
  );
  rules.forEach((rule, i) => {
    rule.groups.forEach((group, g) => {
      group.conditions.forEach((c, k) => {
        if (!c.contextId || found.has(c.contextId)) return;
        const field = fieldOf(i, `.groups[${g}].conditions[${k}].contextId`);
        throw badInput(field, `${field}: context ${c.contextId} not found in this team`);
      });
    });
  });
}

/** Rebuilds the flag as delivery does and runs the engine's validation on it; any problem is BAD_USER_INPUT. */
async function checkStoredFlag(ex: Executor, featureId: string, environmentId: string, fieldOf: FieldOf) {
  const [record] = await loadFlagRecords(ex, { featureIds: [featureId] });
  const problems = validateFlag(record.flag);
  if (problems.length === 0) return;
  const index = record.flag.stages.findIndex((s) => s.environmentId === environmentId);
  const prefix = `stages[${index}].rules[`;
  const own = problems.find((p) => p.field.startsWith(prefix)) ?? problems[0];
  const match = own.field.startsWith(prefix) ? /^(\d+)\](.*)$/.exec(own.field.slice(prefix.length)) : null;
  const field = match ? fieldOf(Number(match[1]), match[2]) : fieldOf(0, "").replace(/\[0\]$/, "");
  throw badInput(field, `${field}: ${match ? "" : `${own.field} `}${own.message}`);
}

/** The criterion-shaped rules as criteria. */
export function toCriteria(rules: repo.RuleRow[]): Criterion[] {
  return rules.flatMap((rule) => {
    const groups = rule.groups as StoredRule["groups"];
    const serve = rule.serve as StoredRule["serve"];
    if (serve.kind !== "on" || groups.length !== 1 || groups[0].conditions.length !== 1) return [];
    const [c] = groups[0].conditions;
    if (c.operator !== "in" || !c.contextId || c.values.length > 0 || c.negate || c.caseInsensitive) return [];
    return [
      {
        id: rule.id,
        stageId: rule.stageId,
        contextKey: c.contextKey,
        contextId: c.contextId,
        rolloutPercentage: Number(rule.rollout),
      },
    ];
  });
}
