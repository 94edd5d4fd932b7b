/**
 * Checks of a feature that need the database: environments and dependencies of the same team, and the engine's
 * own validation (`validateFlag`: variants, values, weights, rules of kept stages, dependency variants and cycles)
 * so nothing is stored that `compileStore` would refuse on an edge.
 */
import type { Executor } from "@fluxgate/drizzle";
import { type Flag, type FlagProblem, type Rule, type ValueType, validateFlag } from "@fluxgate/engine";
import { AppError, badInput } from "../errors";
import type { DependencySpec, StageSpec, VariantSpec } from "./input";
import * as repo from "./repository";

/** The feature as it would be stored, in the engine's terms. */
export interface FeatureCandidate {
  /** Null while creating. */
  id: string | null;
  key: string;
  salt: string;
  valueType: ValueType;
  variants: VariantSpec[];
  defaultVariant: string | null;
  offVariant: string | null;
  dependencies: (DependencySpec & { key: string })[];
  /** Aligned with the input stages; `rules` and `deployed` of the stage they keep (none for new stages). */
  stages: { deployed: boolean; bucketingKey: string | null; environmentId: string; rules: Rule[] }[];
}

/** The environments of the stages, all of which must belong to the team. */
export async function checkEnvironments(
  ex: Executor,
  teamId: string,
  stages: StageSpec[],
): Promise<Map<string, repo.EnvironmentRow>> {
  const rows = await repo.environmentsOf(
    ex,
    stages.map((s) => s.environmentId),
    teamId,
  );
  const byId = new Map(rows.map((e) => [e.id, e]));
  stages.forEach((stage, i) => {
    if (!byId.has(stage.environmentId)) {
      const field = `input.stages[${i}].environmentId`;
      throw badInput(field, `${field}: environment ${stage.environmentId} not found in this team`);
    }
  });
  return byId;
}

/** Dependencies with the key of the feature depended on, which must be another feature of the same team. */
export async function resolveDependencies(
  ex: Executor,
  teamId: string,
  selfId: string | null,
  dependencies: DependencySpec[],
): Promise<FeatureCandidate["dependencies"]> {
  const found = new Map(
    (
      await repo.featuresByIds(
        ex,
        teamId,
        dependencies.map((d) => d.featureId),
      )
    ).map((f) => [f.id, f]),
  );
  return dependencies.map((d) => {
    if (d.featureId === selfId) throw badInput(d.field, `${d.field}: a feature cannot depend on itself`);
    const target = found.get(d.featureId);
    if (!target) throw badInput(d.field, `${d.field}: feature ${d.featureId} not found in this team`);
    return { ...d, key: target.key };
  });
}

/**
 * Runs the engine's validation on the candidate against the team's dependency graph (BAD_USER_INPUT naming the
 * input field), then re-checks the features that depend on it (a variant they require must still exist: CONFLICT).
 */
export async function checkCandidate(ex: Executor, teamId: string, candidate: FeatureCandidate): Promise<void> {
  checkBooleanShape(candidate);
  const graph = await repo.dependencyGraph(ex, teamId);
  const keyOf = new Map(graph.map((f) => [f.id, f.id === candidate.id ? candidate.key : f.key]));
  const flag = toFlag(candidate);
  const others = new Map<string, Flag>();
  for (const f of graph) {
    if (f.id === candidate.id) continue;
    others.set(f.id, {
      ...emptyFlag(keyOf.get(f.id) as string, f.valueType as ValueType),
      variants: f.variants.map((key) => ({ key, value: key })),
      dependencies: f.dependsOn.map((d) => ({ flagKey: keyOf.get(d.dependsOnId) as string, variant: d.variant })),
    });
  }
  const problem = validateFlag(flag, [...others.values()])[0];
  if (problem) throw inputProblem(problem, candidate);
  // a feature that requires one of this feature's variants must still find it
  const all = [...others.values(), flag];
  for (const f of graph) {
    if (!f.dependsOn.some((d) => d.dependsOnId === candidate.id && d.variant !== null)) continue;
    const dependent = others.get(f.id) as Flag;
    const broken = validateFlag(dependent, all).find((p) => /^dependencies\[\d+\]\.variant$/.test(p.field));
    if (broken) {
      throw new AppError("CONFLICT", `feature '${dependent.key}' depends on this feature: ${broken.message}`, {
        field: "input.variants",
      });
    }
  }
}

/** Boolean flags have the implicit variants `on`/`off` and nothing else. */
function checkBooleanShape(candidate: FeatureCandidate): void {
  if (candidate.valueType !== "boolean") return;
  if (candidate.variants.length > 0) {
    throw badInput("input.variants", "input.variants: a boolean feature has the implicit variants on and off only");
  }
  for (const field of ["defaultVariant", "offVariant"] as const) {
    if (candidate[field] !== null) {
      throw badInput(`input.${field}`, `input.${field}: a boolean feature serves true when on and false when off`);
    }
  }
}

function toFlag(candidate: FeatureCandidate): Flag {
  return {
    ...emptyFlag(candidate.key, candidate.valueType),
    salt: candidate.salt,
    variants: candidate.variants.map((v) => ({ key: v.key, value: v.value, weight: v.weight })),
    defaultVariant: candidate.defaultVariant,
    offVariant: candidate.offVariant,
    dependencies: candidate.dependencies.map((d) => ({ flagKey: d.key, variant: d.variant })),
    stages: candidate.stages.map(({ environmentId, deployed, bucketingKey, rules }) => ({
      environmentId,
      deployed,
      bucketingKey,
      rules,
    })),
  };
}

function emptyFlag(key: string, valueType: ValueType): Flag {
  return { key, salt: key, valueType, variants: [], killed: false, dependencies: [], stages: [] };
}

/**
 * An engine problem as BAD_USER_INPUT on the input field it is about: `variants[1].value` → `input.variants[1].value`;
 * a problem in the rules a kept stage already has (say, serving a variant the input drops) names the stage.
 */
function inputProblem(problem: FlagProblem, candidate: FeatureCandidate): AppError {
  const dependency = /^dependencies\[(\d+)\]/.exec(problem.field);
  if (dependency) {
    const field = candidate.dependencies[Number(dependency[1])]?.field ?? "input.dependencies";
    return badInput(field, `${field}: ${problem.message}`);
  }
  const stage = /^stages\[(\d+)\]\.(rules.*)$/.exec(problem.field);
  if (stage) {
    const field = `input.stages[${stage[1]}]`;
    return badInput(field, `${field}: its rule ${stage[2]}: ${problem.message} (change the stage's rules first)`);
  }
  const field = `input.${problem.field}`;
  return badInput(field, `${field}: ${problem.message}`);
}
