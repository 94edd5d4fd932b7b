/** Features of the team: search, filter by status, each environment's status at a glance; create. */
import type { ValueType } from "@fluxgate/engine";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso/router";
import { Async, PageHeader } from "../components/async-state.tsx";
import { bind, SelectField, TextArea, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { VariantsEditor } from "../components/variants-editor.tsx";
import { environments } from "../models/environments.ts";
import type { Feature } from "../models/feature-api.ts";
import {
  createFeature,
  type FeatureType,
  features,
  filter,
  type StatusFilter,
  setFilter,
  visibleFeatures,
} from "../models/features.ts";
import { check, createForm } from "../models/form.ts";
import { pipelines } from "../models/pipelines.ts";
import { can } from "../models/teams.ts";
import { newVariant, toVariants, type VariantDraft, variantProblems } from "../models/variants.ts";

const STATUS_OPTIONS: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "Any status" },
  { value: "live", label: "Live" },
  { value: "pending", label: "Waiting for approval" },
  { value: "off", label: "Off / not deployed" },
  { value: "killed", label: "Killed" },
];

function Filters({ envs }: { envs: readonly { id: string; name: string }[] }) {
  const f = filter.value;
  return (
    <search class="filters" aria-label="Filter features">
      <TextField
        label="Search"
        type="search"
        placeholder="key, description or tag"
        value={f.search}
        onValue={(search) => setFilter({ search })}
      />
      <SelectField
        label="Status"
        value={f.status}
        options={STATUS_OPTIONS}
        onValue={(status) => setFilter({ status: status as StatusFilter })}
      />
      <SelectField
        label="In environment"
        value={f.environmentId}
        options={[{ value: "", label: "Any environment" }, ...envs.map((e) => ({ value: e.id, label: e.name }))]}
        onValue={(environmentId) => setFilter({ environmentId })}
      />
    </search>
  );
}

function FeatureTable({ list, envs }: { list: readonly Feature[]; envs: readonly { id: string; name: string }[] }) {
  return (
    <table class="table table--cards">
      <caption class="visually-hidden">Features and their status per environment</caption>
      <thead>
        <tr>
          <th scope="col">Feature</th>
          {envs.map((env) => (
            <th scope="col" key={env.id}>
              {env.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {list.map((f) => (
          <tr key={f.id}>
            <th scope="row">
              <a href={`/features/${f.id}`} class="feature-link">
                {f.key}
              </a>
              {f.killed && <span class="badge badge--killed">Killed</span>}
              {!f.killed && f.killScheduledAt && <span class="badge badge--pending">Kill scheduled</span>}
              {f.description && <p class="muted small">{f.description}</p>}
              <p class="muted small">
                {f.valueType === "boolean" ? "on/off" : f.valueType}
                {f.tags.map((t) => (
                  <span class="chip" key={t}>
                    {t}
                  </span>
                ))}
              </p>
            </th>
            {envs.map((env) => {
              const stage = f.stages.find((s) => s.environment.id === env.id);
              return (
                <td key={env.id} data-label={env.name}>
                  {stage ? (
                    <StatusBadge status={stage.status} enabled={stage.enabled} killed={f.killed && stage.enabled} />
                  ) : (
                    <span class="muted" title="Not in this feature's pipeline">
                      —
                    </span>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const VALUE_TYPES: { value: ValueType; label: string }[] = [
  { value: "boolean", label: "On/off (boolean)" },
  { value: "string", label: "String variants" },
  { value: "number", label: "Number variants" },
  { value: "json", label: "JSON variants" },
];

function CreateFeatureDialog({ teamId, onClose }: { teamId: string; onClose: () => void }) {
  const { route } = useLocation();
  const templates = pipelines.data.value ?? [];
  const [variants, setVariants] = useState<VariantDraft[]>([newVariant(0), newVariant(1)]);
  const [variantErrors, setVariantErrors] = useState<Record<string, string>>({});
  const [form] = useState(() =>
    createForm(
      {
        key: "",
        description: "",
        featureType: "SIMPLE" as FeatureType,
        valueType: "boolean" as ValueType,
        pipelineId: templates[0]?.id ?? "",
      },
      (v) => ({
        key: check.length(v.key, "Key", 3, 100) ?? check.key(v.key, "Key"),
        description: v.description.length > 1000 ? "Description must be at most 1000 characters" : undefined,
        pipelineId: v.pipelineId ? undefined : "Choose the pipeline the feature follows",
      }),
    ),
  );
  const { values, errors } = form;
  return (
    <FormDialog
      title="New feature"
      form={form}
      submitLabel={"Create feature"}
      onClose={onClose}
      wide
      onSubmit={(v) => {
        const pipeline = templates.find((p) => p.id === v.pipelineId);
        if (!pipeline) throw new Error("Choose a pipeline");
        return createFeature(teamId, { ...v, variants: toVariants(v.valueType, variants) }, pipeline);
      }}
      check={() => {
        const problems = variantProblems(values.value.valueType, variants);
        setVariantErrors(problems);
        return Object.keys(problems).length === 0;
      }}
      onDone={(id) => route(`/features/${id}`)}
    >
      <TextField
        label="Key"
        hint="What services ask for, e.g. new-checkout. Letters, digits, . _ -"
        {...bind(form, "key")}
      />
      <TextArea label="Description" {...bind(form, "description")} />
      <div class="grid-2">
        <SelectField
          label="Kind"
          value={values.value.featureType}
          options={[
            { value: "SIMPLE", label: "Simple (release toggle)" },
            { value: "CONTEXTUAL", label: "Contextual (targeted)" },
          ]}
          onValue={(v) => form.set("featureType", v as FeatureType)}
        />
        <SelectField
          label="Value type"
          value={values.value.valueType}
          options={VALUE_TYPES}
          onValue={(v) => form.set("valueType", v as ValueType)}
          error={errors.value.valueType}
        />
      </div>
      {values.value.valueType !== "boolean" && (
        <VariantsEditor
          valueType={values.value.valueType}
          variants={variants}
          errors={variantErrors}
          onChange={setVariants}
        />
      )}
      <SelectField
        label="Pipeline"
        hint="The feature gets one stage per environment of this pipeline, in its order."
        value={values.value.pipelineId}
        options={[
          { value: "", label: templates.length ? "Choose…" : "No pipeline yet: create one first" },
          ...templates.map((p) => ({
            value: p.id,
            label: `${p.name} (${[...p.stages]
              .sort((a, b) => a.orderIndex - b.orderIndex)
              .map((s) => s.environment.name)
              .join(" → ")})`,
          })),
        ]}
        onValue={(v) => form.set("pipelineId", v)}
        error={errors.value.pipelineId}
      />
    </FormDialog>
  );
}

export function FeaturesPage({ teamId }: { teamId: string }) {
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    void features.load(teamId);
    void environments.load(teamId);
    void pipelines.load(teamId);
  }, [teamId]);
  const envs = environments.data.value ?? [];
  const all = features.data.value;
  return (
    <>
      <PageHeader title="Features">
        {can.value.edit && (
          <button type="button" class="btn btn--primary" onClick={() => setCreating(true)}>
            New feature
          </button>
        )}
      </PageHeader>
      <Filters envs={envs} />
      <Async
        data={all}
        loading={features.loading.value}
        error={features.error.value}
        onRetry={() => void features.refresh()}
        empty={<p>No features yet.{can.value.edit ? " Create the first one with “New feature”." : ""}</p>}
      >
        {() =>
          visibleFeatures.value.length ? (
            <>
              <p class="muted small" aria-live="polite">
                {visibleFeatures.value.length} of {all?.length} features
              </p>
              <FeatureTable list={visibleFeatures.value} envs={envs} />
            </>
          ) : (
            <p class="empty" aria-live="polite">
              No feature matches these filters.
            </p>
          )
        }
      </Async>
      {creating && <CreateFeatureDialog teamId={teamId} onClose={() => setCreating(false)} />}
    </>
  );
}
