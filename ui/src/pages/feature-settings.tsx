/** A feature's key, description, variants (non-boolean flags) and dependencies, saved together. */
import { useEffect, useState } from "preact/hooks";
import { DependenciesEditor, type DependencyDraft } from "../components/dependencies-editor.tsx";
import { FormError, SelectField, TextArea, TextField } from "../components/fields.tsx";
import { VariantsEditor } from "../components/variants-editor.tsx";
import { type Feature, updateFeature } from "../models/feature.ts";
import { check, createForm } from "../models/form.ts";
import { toDraft, toVariants, type VariantDraft, variantProblems } from "../models/variants.ts";

interface Values {
  key: string;
  description: string;
  owner: string;
  /** Comma-separated while edited. */
  tags: string;
  defaultVariant: string;
  offVariant: string;
  variants: VariantDraft[];
  dependencies: DependencyDraft[];
}

function valuesOf(f: Feature): Values {
  return {
    key: f.key,
    description: f.description ?? "",
    owner: f.owner ?? "",
    tags: f.tags.join(", "),
    defaultVariant: f.defaultVariant ?? "",
    offVariant: f.offVariant ?? "",
    variants: f.variants.map(toDraft),
    dependencies: f.dependencies.map((d) => ({ featureId: d.featureId, variant: d.variant })),
  };
}

function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

export function FeatureSettings({
  f,
  candidates,
  readOnly,
}: {
  f: Feature;
  candidates: readonly { id: string; key: string }[];
  readOnly: boolean;
}) {
  const [variantErrors, setVariantErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [form] = useState(() =>
    createForm<Values>(valuesOf(f), (v) => ({
      key: check.length(v.key, "Key", 3, 100) ?? check.key(v.key, "Key"),
      description: v.description.length > 1000 ? "Description must be at most 1000 characters" : undefined,
      owner: v.owner.length > 200 ? "Owner must be at most 200 characters" : undefined,
      tags: splitTags(v.tags).some((t) => t.length > 50) ? "A tag has at most 50 characters" : undefined,
    })),
  );
  // another admin's change (or ours) reloaded the feature: start from the new values
  useEffect(() => form.reset(valuesOf(f)), [f, form]);
  const { values, errors } = form;
  const v = values.value;
  const variantKeys = v.variants.map((d) => d.key.trim()).filter(Boolean);
  const variantChoice = (label: string) => [{ value: "", label }, ...variantKeys.map((k) => ({ value: k, label: k }))];
  const submit = async () => {
    setSaved(false);
    const problems = variantProblems(f.valueType, v.variants);
    setVariantErrors(problems);
    if (Object.keys(problems).length) return;
    const done = await form.submit(async (x) => {
      await updateFeature(f, {
        key: x.key,
        description: x.description,
        owner: x.owner,
        tags: splitTags(x.tags),
        variants: toVariants(f.valueType, x.variants),
        defaultVariant: x.defaultVariant || null,
        offVariant: x.offVariant || null,
        dependencies: x.dependencies,
      });
      return true;
    });
    if (done) setSaved(true);
  };
  return (
    <section class="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="Key"
          value={v.key}
          readOnly={readOnly}
          onValue={(x) => form.set("key", x)}
          error={errors.value.key}
          hint="Renaming keeps users in the same buckets; services must ask for the new key."
        />
        <TextArea
          label="Description"
          readOnly={readOnly}
          value={v.description}
          onValue={(x) => form.set("description", x)}
          error={errors.value.description}
        />
        <div class="grid-2">
          <TextField
            label="Owner"
            value={v.owner}
            readOnly={readOnly}
            onValue={(x) => form.set("owner", x)}
            error={errors.value.owner}
          />
          <TextField
            label="Tags"
            hint="Separated by commas."
            value={v.tags}
            readOnly={readOnly}
            onValue={(x) => form.set("tags", x)}
            error={errors.value.tags}
          />
        </div>
        {f.valueType !== "boolean" && (
          <>
            <VariantsEditor
              valueType={f.valueType}
              variants={v.variants}
              errors={variantErrors}
              readOnly={readOnly}
              onChange={(x) => form.set("variants", x)}
            />
            <div class="grid-2">
              <SelectField
                label="Default variant"
                hint="Served when no rule admits the user."
                value={v.defaultVariant}
                options={variantChoice("First variant")}
                disabled={readOnly}
                onValue={(x) => form.set("defaultVariant", x)}
                error={errors.value.defaultVariant}
              />
              <SelectField
                label="Off variant"
                hint="Served when the flag is off or killed."
                value={v.offVariant}
                options={variantChoice("Default variant")}
                disabled={readOnly}
                onValue={(x) => form.set("offVariant", x)}
                error={errors.value.offVariant}
              />
            </div>
          </>
        )}
        <DependenciesEditor
          dependencies={v.dependencies}
          candidates={candidates}
          readOnly={readOnly}
          error={errors.value.dependencies}
          onChange={(x) => form.set("dependencies", x)}
        />
        <FormError message={form.formError.value} />
        {saved && (
          <p class="notice" role="status">
            Saved.
          </p>
        )}
        {!readOnly && (
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            Save settings
          </button>
        )}
      </form>
    </section>
  );
}
