/**
 * Feature input as GraphQL delivers it, and its checks that need no database: shapes, lengths, duplicates,
 * the stage graph. What needs the database (environments, dependencies, the engine's view) is in checks.ts.
 */
import type { JsonValue, ValueType } from "@fluxgate/engine";
import { badInput } from "../errors";
import * as v from "../validation";

export type FeatureTypeName = "SIMPLE" | "CONTEXTUAL";
export type ValueTypeName = "BOOLEAN" | "STRING" | "NUMBER" | "JSON";

export interface FeatureStageInput {
  id?: string | null;
  environmentId: string;
  orderIndex: number;
  position?: string | null;
  bucketingKey?: string | null;
}

export interface FeatureInput {
  key: string;
  description?: string | null;
  featureType: FeatureTypeName;
  valueType?: ValueTypeName | null;
  variants?: { key: string; value: JsonValue; weight?: number | null; description?: string | null }[] | null;
  defaultVariant?: string | null;
  offVariant?: string | null;
  owner?: string | null;
  tags?: string[] | null;
  sticky?: boolean | null;
  dependencies?: string[] | null;
  dependsOn?: { featureId: string; variant?: string | null }[] | null;
  relationships?: { sourceId: number; targetId: number }[] | null;
  stages: FeatureStageInput[];
}

export interface VariantSpec {
  key: string;
  value: JsonValue;
  weight: number;
  description: string | null;
}

export interface DependencySpec {
  featureId: string;
  variant: string | null;
  /** Input field it came from, e.g. `input.dependsOn[1]`. */
  field: string;
}

export interface StageSpec {
  id: string | null;
  environmentId: string;
  orderIndex: number;
  position: string;
  bucketingKey: string | null;
  /** orderIndex of the parent stage, from `relationships`. */
  parentOrderIndex: number | null;
}

/** A checked feature input. Optional fields are undefined when not given (update keeps the stored value). */
export interface FeatureSpec {
  key: string;
  description: string | null | undefined;
  featureType: "Simple" | "Contextual";
  valueType: ValueType | undefined;
  variants: VariantSpec[] | undefined;
  defaultVariant: string | null | undefined;
  offVariant: string | null | undefined;
  owner: string | null | undefined;
  tags: string[] | undefined;
  sticky: boolean | undefined;
  dependencies: DependencySpec[] | undefined;
  stages: StageSpec[];
}

const KEY = /^[A-Za-z0-9._-]{3,100}$/;
const VARIANT_KEY = /^[A-Za-z0-9._-]{1,100}$/;
const LIMITS = { variants: 100, tags: 20, stages: 50, dependencies: 50 };

export const FEATURE_TYPES: Record<FeatureTypeName, FeatureSpec["featureType"]> = {
  SIMPLE: "Simple",
  CONTEXTUAL: "Contextual",
};

/** A feature key: 3 to 100 letters, digits, `.`, `_` or `-` (keys are exact identifiers: never trimmed). */
export function featureKey(field: string, key: string): string {
  if (!KEY.test(key)) {
    throw badInput(field, `${field} must be 3 to 100 characters of letters, digits, '.', '_' and '-' (got "${key}")`);
  }
  return key;
}

export function parseFeatureInput(input: FeatureInput): FeatureSpec {
  const valueType = input.valueType ? (input.valueType.toLowerCase() as ValueType) : undefined;
  return {
    key: featureKey("input.key", input.key),
    description: nullable(input.description, (d) => v.text("input.description", d, { max: 1000 })),
    featureType: FEATURE_TYPES[input.featureType],
    valueType,
    variants: input.variants ? parseVariants(input.variants) : undefined,
    defaultVariant: nullable(input.defaultVariant, (k) => variantKey("input.defaultVariant", k)),
    offVariant: nullable(input.offVariant, (k) => variantKey("input.offVariant", k)),
    owner: nullable(input.owner, (o) => v.text("input.owner", o, { max: 200 }) || null),
    tags: input.tags ? parseTags(input.tags) : undefined,
    sticky: input.sticky ?? undefined,
    dependencies: parseDependencies(input),
    stages: parseStages(input.stages, input.relationships ?? []),
  };
}

/** undefined stays undefined (not given), null stays null (cleared), anything else is checked. */
function nullable<T, R>(value: T | null | undefined, check: (value: T) => R): R | null | undefined {
  return value === undefined ? undefined : value === null ? null : check(value);
}

function variantKey(field: string, key: string): string {
  if (!VARIANT_KEY.test(key)) {
    throw badInput(field, `${field} must be 1 to 100 characters of letters, digits, '.', '_' and '-'`);
  }
  return key;
}

function parseVariants(variants: NonNullable<FeatureInput["variants"]>): VariantSpec[] {
  if (variants.length > LIMITS.variants) {
    throw badInput("input.variants", `input.variants: at most ${LIMITS.variants} variants`);
  }
  return variants.map((variant, i) => {
    const field = `input.variants[${i}]`;
    const weight = variant.weight ?? 0;
    if (weight < 0) throw badInput(`${field}.weight`, `${field}.weight must not be negative`);
    if (variant.value === undefined) throw badInput(`${field}.value`, `${field}.value is required`);
    return {
      key: variantKey(`${field}.key`, variant.key),
      value: variant.value,
      weight,
      description: nullable(variant.description, (d) => v.text(`${field}.description`, d, { max: 500 })) ?? null,
    };
  });
}

function parseTags(tags: string[]): string[] {
  if (tags.length > LIMITS.tags) throw badInput("input.tags", `input.tags: at most ${LIMITS.tags} tags`);
  return [...new Set(tags.map((tag, i) => v.text(`input.tags[${i}]`, tag, { min: 1, max: 50 })))];
}

/** `dependencies` (ids, the original's shape) and `dependsOn` (with a variant) together, each feature once. */
function parseDependencies(input: FeatureInput): DependencySpec[] | undefined {
  if (!input.dependencies && !input.dependsOn) return undefined;
  const all: DependencySpec[] = [
    ...(input.dependencies ?? []).map((id, i) => ({ featureId: id, variant: null, field: `input.dependencies[${i}]` })),
    ...(input.dependsOn ?? []).map((d, i) => ({
      featureId: d.featureId,
      variant: nullable(d.variant, (k) => variantKey(`input.dependsOn[${i}].variant`, k)) ?? null,
      field: `input.dependsOn[${i}]`,
    })),
  ];
  if (all.length > LIMITS.dependencies) {
    throw badInput("input.dependencies", `a feature may depend on at most ${LIMITS.dependencies} features`);
  }
  const seen = new Set<string>();
  return all.map((d) => {
    const featureId = v.uuid(d.field, d.featureId);
    if (seen.has(featureId)) throw badInput(d.field, `${d.field}: feature ${featureId} is listed twice`);
    seen.add(featureId);
    return { ...d, featureId };
  });
}

function parseStages(stages: FeatureStageInput[], relationships: { sourceId: number; targetId: number }[]) {
  if (stages.length === 0) throw badInput("input.stages", "input.stages: a feature needs at least one stage");
  if (stages.length > LIMITS.stages) throw badInput("input.stages", `input.stages: at most ${LIMITS.stages} stages`);
  const ids = new Set<string>();
  const environments = new Set<string>();
  const orders = new Set<number>();
  const specs = stages.map((stage, i): StageSpec => {
    const field = `input.stages[${i}]`;
    const id = stage.id ? v.uuid(`${field}.id`, stage.id) : null;
    const environmentId = v.uuid(`${field}.environmentId`, stage.environmentId);
    if (stage.orderIndex < 0) throw badInput(`${field}.orderIndex`, `${field}.orderIndex must not be negative`);
    if (id && ids.has(id)) throw badInput(`${field}.id`, `${field}.id: stage ${id} is listed twice`);
    if (environments.has(environmentId)) {
      throw badInput(`${field}.environmentId`, `${field}.environmentId: environment ${environmentId} has two stages`);
    }
    if (orders.has(stage.orderIndex)) {
      throw badInput(`${field}.orderIndex`, `${field}.orderIndex: two stages have orderIndex ${stage.orderIndex}`);
    }
    if (id) ids.add(id);
    environments.add(environmentId);
    orders.add(stage.orderIndex);
    return {
      id,
      environmentId,
      orderIndex: stage.orderIndex,
      position: v.optionalText(`${field}.position`, stage.position, { max: 100 }) ?? "",
      bucketingKey: bucketingKey(`${field}.bucketingKey`, stage.bucketingKey),
      parentOrderIndex: null,
    };
  });
  applyRelationships(specs, relationships);
  return specs;
}

/** A stage's bucketing key: a context key of 1 to 100 characters; empty or null = the engine's default. */
export function bucketingKey(field: string, value: string | null | undefined): string | null {
  return v.optionalText(field, value, { max: 100 }) || null;
}

/**
 * Relationships name stages by orderIndex (source = parent, target = child). Each stage has at most one
 * parent and the links form no cycle, so they make a forest: at most stages - 1 links (reference §12-21).
 */
function applyRelationships(stages: StageSpec[], relationships: { sourceId: number; targetId: number }[]): void {
  const byOrder = new Map(stages.map((s) => [s.orderIndex, s]));
  relationships.forEach((r, i) => {
    const field = `input.relationships[${i}]`;
    const source = byOrder.get(r.sourceId);
    const target = byOrder.get(r.targetId);
    if (!source) throw badInput(`${field}.sourceId`, `${field}.sourceId: no stage has orderIndex ${r.sourceId}`);
    if (!target) throw badInput(`${field}.targetId`, `${field}.targetId: no stage has orderIndex ${r.targetId}`);
    if (source === target) throw badInput(field, `${field}: a stage cannot be its own parent`);
    if (target.parentOrderIndex !== null) {
      throw badInput(`${field}.targetId`, `${field}.targetId: stage ${r.targetId} already has a parent`);
    }
    target.parentOrderIndex = r.sourceId;
  });
  for (const stage of stages) {
    const seen = new Set<number>([stage.orderIndex]);
    for (let parent = stage.parentOrderIndex; parent !== null; parent = byOrder.get(parent)?.parentOrderIndex ?? null) {
      if (seen.has(parent)) {
        throw badInput("input.relationships", `input.relationships: the stages form a cycle through ${parent}`);
      }
      seen.add(parent);
    }
  }
}
