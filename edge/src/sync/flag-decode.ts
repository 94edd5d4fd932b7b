/**
 * Wire `FeatureFull` → engine `Flag`. FluxGate backends send the engine flag as `flag_json`; a feature
 * without it (an original-shape message) is rebuilt from the original fields, criteria becoming `in` rules.
 */
import type { Flag, Rule, Stage, ValueType } from "@fluxgate/engine";
import type { FeatureFull, FeatureStageFull } from "@fluxgate/proto";

export function decodeFlag(feature: FeatureFull): Flag {
  if (feature.flag_json) {
    const flag = JSON.parse(feature.flag_json) as Flag;
    if (typeof flag?.key !== "string" || !Array.isArray(flag.stages))
      throw new Error("flag_json is not an engine flag");
    return flag;
  }
  return fromOriginalFields(feature);
}

/** A compact snapshot chunk: a JSON array of engine flags. */
export function decodeFlags(json: string): Flag[] {
  const flags = JSON.parse(json) as Flag[];
  if (!Array.isArray(flags)) throw new Error("flags_json is not an array");
  return flags;
}

function fromOriginalFields(f: FeatureFull): Flag {
  const scheduled = f.kill_at_unix_ms || (f.rollback_scheduled_at ? Date.parse(f.rollback_scheduled_at) : Number.NaN);
  return {
    key: f.key,
    id: f.id || undefined,
    salt: f.salt || f.key,
    valueType: (f.value_type || "boolean") as ValueType,
    variants: f.variants.map((v) => ({
      key: v.key,
      value: v.value_json ? JSON.parse(v.value_json) : null,
      weight: v.weight,
    })),
    defaultVariant: f.default_variant || null,
    offVariant: f.off_variant || null,
    killed: f.killed || !f.kill_switch_enabled,
    killAt: Number.isFinite(scheduled) && scheduled > 0 ? scheduled : null,
    dependencies: f.dependencies
      .filter((d) => d.depends_on_key)
      .map((d) => ({ flagKey: d.depends_on_key, variant: d.variant || null })),
    stages: f.stages.map(toStage),
    sticky: f.sticky,
  };
}

/** Original criteria are OR-ed `context_key IN entries` with a rollout each: one rule per criterion. */
function toStage(s: FeatureStageFull): Stage {
  const rules: Rule[] = s.criterias.map((c) => ({
    id: c.id,
    groupsOperator: "AND",
    groups: [
      {
        operator: "AND",
        conditions: [{ contextKey: c.context_key, operator: "in", values: c.context?.entries ?? [] }],
      },
    ],
    rollout: c.rollout_percentage,
    serve: { kind: "on" },
  }));
  return { environmentId: s.environment_id, deployed: s.enabled, bucketingKey: s.bucketing_key || null, rules };
}
