/**
 * Features: reads, `createFeature`, `updateFeature` (full replacement that never switches deployed stages off,
 * reference §7.3 without bug §12-12) and `deleteFeature` (a DELETE on the change feed, §12-13; refused while
 * other features depend on it). Every write is one transaction with its audit entry and change-feed entry.
 */
import type { Executor } from "@fluxgate/drizzle";
import type { Rule, ValueType } from "@fluxgate/engine";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import { loadFlagRecords } from "../delivery/snapshot-repository";
import type { AppDeps } from "../deps";
import { filterText, type Page, pageWindow, toPage } from "../environments/listing";
import { AppError, withDbErrors } from "../errors";
import { readableTeamIds, requireTeam } from "../policy";
import * as v from "../validation";
import { featureFor } from "./access";
import { checkCandidate, checkEnvironments, type FeatureCandidate, resolveDependencies } from "./checks";
import { FEATURE_TYPES, type FeatureInput, type FeatureSpec, type FeatureTypeName, parseFeatureInput } from "./input";
import * as repo from "./repository";
import { applyStages, planStages, type StagePlan } from "./stages";

export type { FeatureRow } from "./repository";

export interface FeaturesArgs {
  teamId: string;
  name?: string | null;
  featureType?: FeatureTypeName | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

export type FeaturePage = Page<repo.FeatureRow>;

export async function getFeature(deps: AppDeps, actor: Actor, id: string): Promise<repo.FeatureRow> {
  return featureFor(deps.db, actor, id, "team:read");
}

/**
 * A team's features by key; `name` is a case-insensitive prefix of the key (so an exact key matches too). Paged
 * like every list (reference §2.2): both `pageNumber` and `pageSize` → that page, otherwise all of them.
 */
export async function listFeatures(deps: AppDeps, actor: Actor, args: FeaturesArgs): Promise<FeaturePage> {
  const teamId = v.uuid("teamId", args.teamId);
  requireTeam(actor, teamId, "team:read");
  const window = pageWindow(args.pageNumber, args.pageSize);
  const { rows, total } = await repo.listFeatures(
    deps.db,
    {
      teamIds: [teamId],
      keyPrefix: filterText(args.name),
      featureType: args.featureType ? FEATURE_TYPES[args.featureType] : undefined,
    },
    window,
  );
  return toPage(rows, total, window);
}

/** Features of the team, or of every team the actor can read. */
export async function featuresCount(deps: AppDeps, actor: Actor, teamId?: string | null): Promise<number> {
  if (teamId) {
    const id = v.uuid("teamId", teamId);
    requireTeam(actor, id, "team:read");
    return repo.countFeatures(deps.db, [id]);
  }
  const ids = readableTeamIds(actor);
  return repo.countFeatures(deps.db, ids === "all" ? undefined : ids);
}

/** Creates the feature with every stage NOT_DEPLOYED and off; returns its id (the original's shape). */
export async function createFeature(deps: AppDeps, actor: Actor, teamId: string, input: FeatureInput): Promise<string> {
  const team = v.uuid("teamId", teamId);
  requireTeam(actor, team, "feature:write");
  const spec = parseFeatureInput(input);
  return withDbErrors({ entity: "feature", name: spec.key, field: "input.key" }, () =>
    deps.db.transaction(async (tx) => {
      await checkEnvironments(tx, team, spec.stages);
      const candidate: FeatureCandidate = {
        id: null,
        key: spec.key,
        salt: spec.key,
        valueType: spec.valueType ?? "boolean",
        variants: spec.variants ?? [],
        defaultVariant: spec.defaultVariant ?? null,
        offVariant: spec.offVariant ?? null,
        dependencies: await resolveDependencies(tx, team, null, spec.dependencies ?? []),
        stages: spec.stages.map((s) => ({ ...s, deployed: false, rules: [] })),
      };
      await checkCandidate(tx, team, candidate);
      const row = await repo.insertFeature(tx, {
        teamId: team,
        ...featureColumns(spec, candidate),
        salt: spec.key,
        owner: spec.owner ?? null,
        tags: spec.tags ?? [],
        sticky: spec.sticky ?? true,
      });
      await writeChildren(tx, row.id, spec, candidate, { kept: spec.stages.map(() => null), removed: [] });
      await recordActivity(tx, {
        teamId: team,
        activityType: "feature_created",
        entityType: "feature",
        entityId: row.id,
        actor,
        description: `Created feature '${row.key}'`,
        metadata: { feature_id: row.id, feature_key: row.key },
        after: await describeFeature(tx, row.id),
      });
      await recordChange(tx, { teamId: team, entity: "feature", entityId: row.id, key: row.key });
      return row.id;
    }),
  );
}

/**
 * Full replacement of the feature's definition. Fields left out of the input keep their value (null clears);
 * stages are matched by id, else by environment, and matched stages keep status, `enabled` and rules.
 */
export async function updateFeature(
  deps: AppDeps,
  actor: Actor,
  id: string,
  input: FeatureInput,
): Promise<repo.FeatureRow> {
  return withDbErrors({ entity: "feature", name: input.key, field: "input.key" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await featureFor(tx, actor, id, "feature:write", { lock: true });
      const spec = parseFeatureInput(input);
      await checkEnvironments(tx, before.teamId, spec.stages);
      const plan = planStages(await repo.stagesOf(tx, [before.id]), spec.stages);
      const candidate = await updateCandidate(tx, before, spec, plan);
      await checkCandidate(tx, before.teamId, candidate);
      const described = await describeFeature(tx, before.id);
      const after = await repo.updateFeature(tx, before.id, {
        ...featureColumns(spec, candidate),
        description: spec.description === undefined ? before.description : spec.description,
        owner: spec.owner === undefined ? before.owner : spec.owner,
        tags: spec.tags ?? before.tags,
        sticky: spec.sticky ?? before.sticky,
      });
      await writeChildren(tx, before.id, spec, candidate, plan);
      await recordActivity(tx, {
        teamId: before.teamId,
        activityType: "feature_updated",
        entityType: "feature",
        entityId: before.id,
        actor,
        description: `Updated feature '${after.key}'`,
        metadata: { feature_id: before.id, feature_key: after.key, previous_key: before.key },
        before: described,
        after: await describeFeature(tx, before.id),
      });
      await recordChange(tx, { teamId: before.teamId, entity: "feature", entityId: before.id, key: after.key });
      // dependents name this flag by key in what edges hold: a rename must reach them too
      if (after.key !== before.key) {
        for (const dependent of await repo.dependentsOf(tx, before.id)) {
          await recordChange(tx, {
            teamId: before.teamId,
            entity: "feature",
            entityId: dependent.id,
            key: dependent.key,
          });
        }
      }
      return after;
    }),
  );
}

/** Deletes the feature (edges get a DELETE); refused with CONFLICT while other features depend on it. */
export async function deleteFeature(deps: AppDeps, actor: Actor, id: string): Promise<boolean> {
  return withDbErrors({ entity: "feature", field: "id" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await featureFor(tx, actor, id, "feature:write", { lock: true });
      const dependents = await repo.dependentsOf(tx, before.id);
      if (dependents.length > 0) {
        const names = dependents.map((d) => `'${d.key}'`).join(", ");
        throw new AppError("CONFLICT", `feature '${before.key}' cannot be deleted: ${names} depend on it`, {
          field: "id",
          details: { dependents: dependents.map((d) => d.key) },
        });
      }
      const described = await describeFeature(tx, before.id);
      await repo.deleteFeature(tx, before.id);
      await recordActivity(tx, {
        teamId: before.teamId,
        activityType: "feature_deleted",
        entityType: "feature",
        entityId: before.id,
        actor,
        description: `Deleted feature '${before.key}'`,
        metadata: { feature_id: before.id, feature_key: before.key },
        before: described,
      });
      await recordChange(tx, {
        teamId: before.teamId,
        kind: "DELETE",
        entity: "feature",
        entityId: before.id,
        key: before.key,
      });
      return true;
    }),
  );
}

/**
 * The feature as an update would leave it: given fields from the input, the others as stored; kept stages
 * with their `enabled` bit and rules (read as delivery builds them), new stages off and without rules.
 */
async function updateCandidate(
  tx: Executor,
  before: repo.FeatureRow,
  spec: FeatureSpec,
  plan: StagePlan,
): Promise<FeatureCandidate> {
  const [record] = await loadFlagRecords(tx, { featureIds: [before.id] });
  const rulesOf = new Map<string, Rule[]>(record.flag.stages.map((s) => [s.environmentId, s.rules]));
  return {
    id: before.id,
    key: spec.key,
    salt: before.salt,
    valueType: spec.valueType ?? (before.valueType as ValueType),
    variants: spec.variants ?? record.flag.variants.map((v) => ({ ...v, weight: v.weight ?? 0, description: null })),
    defaultVariant: spec.defaultVariant === undefined ? before.defaultVariant : spec.defaultVariant,
    offVariant: spec.offVariant === undefined ? before.offVariant : spec.offVariant,
    dependencies: spec.dependencies
      ? await resolveDependencies(tx, before.teamId, before.id, spec.dependencies)
      : record.flag.dependencies.map((d, i) => ({
          featureId: record.dependencyIds[i],
          key: d.flagKey,
          variant: d.variant ?? null,
          field: "input.dependencies",
        })),
    stages: spec.stages.map((s, i) => ({
      environmentId: s.environmentId,
      bucketingKey: s.bucketingKey,
      deployed: plan.kept[i]?.enabled ?? false,
      rules: plan.kept[i] ? (rulesOf.get(s.environmentId) ?? []) : [],
    })),
  };
}

/** The feature with its variants, stages and dependencies, as audit entries show it. */
export async function describeFeature(ex: Executor, featureId: string) {
  const [feature, variants, stages, dependencies] = await Promise.all([
    repo.findFeature(ex, featureId),
    repo.variantsOf(ex, [featureId]),
    repo.stagesOf(ex, [featureId]),
    repo.dependenciesOf(ex, [featureId]),
  ]);
  return { ...feature, variants, stages, dependencies };
}

/** Columns every write sets from the checked input. */
function featureColumns(spec: FeatureSpec, candidate: FeatureCandidate) {
  return {
    key: candidate.key,
    description: spec.description ?? null,
    featureType: spec.featureType,
    valueType: candidate.valueType,
    defaultVariant: candidate.defaultVariant,
    offVariant: candidate.offVariant,
  };
}

/** Variants (when given), stages and dependencies (when given) of a feature being written. */
async function writeChildren(
  tx: Executor,
  featureId: string,
  spec: FeatureSpec,
  candidate: FeatureCandidate,
  plan: StagePlan,
): Promise<void> {
  if (spec.variants) await repo.replaceVariants(tx, featureId, candidate.variants);
  await applyStages(tx, featureId, spec.stages, plan);
  if (spec.dependencies) {
    await repo.replaceDependencies(
      tx,
      featureId,
      candidate.dependencies.map((d) => ({ dependsOnId: d.featureId, variant: d.variant })),
    );
  }
}
