/** Pipeline templates: environments in order, drawn as a flow; new features copy a pipeline's stages. */
import { useEffect, useState } from "preact/hooks";
import { PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { bind, Checkbox, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { RowActions } from "../components/row-actions.tsx";
import { StageFlow } from "../components/stage-flow.tsx";
import { type Environment, environments } from "../models/environments.ts";
import { check, createForm } from "../models/form.ts";
import {
  createPipeline,
  deletePipeline,
  type Pipeline,
  type PipelineInput,
  pipelines,
  type StageDraft,
  toStageDrafts,
  updatePipeline,
} from "../models/pipelines.ts";
import { move } from "../models/rules.ts";
import { can } from "../models/teams.ts";

function validate(v: PipelineInput) {
  const seen = new Set<string>();
  let stages: string | undefined;
  if (v.stages.length === 0) stages = "Add at least one stage";
  for (const s of v.stages) {
    if (!s.environmentId) stages = "Choose an environment for every stage";
    else if (seen.has(s.environmentId)) stages = "An environment can appear only once";
    seen.add(s.environmentId);
  }
  return { name: check.length(v.name, "Name", 5, 100), stages };
}

/**
 * The first stage is the start; every other stage follows an earlier one (a tree, as the API requires). After a
 * move or removal a stage whose parent is no longer earlier falls back to the previous stage.
 */
function repair(stages: StageDraft[]): StageDraft[] {
  return stages.map((s, i) => ({ ...s, after: i === 0 ? null : s.after !== null && s.after < i ? s.after : i - 1 }));
}

function StagesEditor({
  stages,
  envs,
  error,
  onChange,
}: {
  stages: StageDraft[];
  envs: readonly Environment[];
  error?: string;
  onChange: (s: StageDraft[]) => void;
}) {
  const name = (id: string) => envs.find((e) => e.id === id)?.name ?? "?";
  const set = (i: number, patch: Partial<StageDraft>) =>
    onChange(stages.map((s, k) => (k === i ? { ...s, ...patch } : s)));
  return (
    <fieldset class="stages-editor">
      <legend>Stages, in order</legend>
      <ol class="stages-editor__list">
        {stages.map((s, i) => (
          <li key={i} class="stages-editor__row">
            <label>
              <span class="visually-hidden">Environment of stage {i + 1}</span>
              <select value={s.environmentId} onChange={(e) => set(i, { environmentId: e.currentTarget.value })}>
                <option value="">Environment…</option>
                {envs.map((env) => (
                  <option key={env.id} value={env.id}>
                    {env.name}
                  </option>
                ))}
              </select>
            </label>
            {i > 0 && (
              <label>
                <span class="muted small">after</span>
                <select
                  aria-label={`Stage ${i + 1} comes after`}
                  value={String(s.after ?? i - 1)}
                  onChange={(e) => set(i, { after: Number(e.currentTarget.value) })}
                >
                  {stages.slice(0, i).map((p, k) => (
                    <option key={k} value={String(k)}>
                      {k + 1}. {p.environmentId ? name(p.environmentId) : "?"}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <span class="stages-editor__tools">
              <button
                type="button"
                class="icon-button"
                aria-label={`Move stage ${i + 1} up`}
                disabled={i === 0}
                onClick={() => onChange(repair(move(stages, i, i - 1)))}
              >
                ↑
              </button>
              <button
                type="button"
                class="icon-button"
                aria-label={`Move stage ${i + 1} down`}
                disabled={i === stages.length - 1}
                onClick={() => onChange(repair(move(stages, i, i + 1)))}
              >
                ↓
              </button>
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove stage ${i + 1}`}
                onClick={() => onChange(repair(stages.filter((_, k) => k !== i)))}
              >
                ×
              </button>
            </span>
          </li>
        ))}
      </ol>
      <button
        type="button"
        class="btn btn--small"
        onClick={() => onChange([...stages, { environmentId: "", after: stages.length ? stages.length - 1 : null }])}
      >
        Add stage
      </button>
      {error && <p class="field__error">{error}</p>}
    </fieldset>
  );
}

function PipelineDialog({
  teamId,
  pipeline,
  onClose,
}: {
  teamId: string;
  pipeline: Pipeline | null;
  onClose: () => void;
}) {
  const envs = environments.data.value ?? [];
  const [form] = useState(() =>
    createForm<PipelineInput>(
      pipeline
        ? { name: pipeline.name, active: pipeline.active, stages: toStageDrafts(pipeline) }
        : { name: "", active: true, stages: envs.map((e, i) => ({ environmentId: e.id, after: i ? i - 1 : null })) },
      validate,
    ),
  );
  const { values, errors } = form;
  return (
    <FormDialog
      title={pipeline ? `Edit ${pipeline.name}` : "New pipeline"}
      form={form}
      submitLabel={pipeline ? "Save" : "Create pipeline"}
      onClose={onClose}
      wide
      onSubmit={(v) => (pipeline ? updatePipeline(pipeline.id, v) : createPipeline(teamId, v))}
    >
      <TextField label="Name" {...bind(form, "name")} />
      <Checkbox
        label="Active (offered when creating features)"
        checked={values.value.active}
        onValue={(v) => form.set("active", v)}
      />
      <StagesEditor
        stages={values.value.stages}
        envs={envs}
        error={errors.value.stages}
        onChange={(s) => form.set("stages", s)}
      />
    </FormDialog>
  );
}

function PipelineFlow({ pipeline }: { pipeline: Pipeline }) {
  const stages = [...pipeline.stages].sort((a, b) => a.orderIndex - b.orderIndex);
  const byOrder = new Map(stages.map((s) => [s.orderIndex, s]));
  const nodes = stages.map((s) => {
    const rel = pipeline.relationships.find((r) => r.targetId === s.orderIndex);
    return { ...s, parentId: rel ? (byOrder.get(rel.sourceId)?.id ?? null) : null };
  });
  return (
    <StageFlow
      label={`Stages of ${pipeline.name}`}
      nodes={nodes}
      renderNode={(s) => (
        <div class="stage-node">
          <span class="stage-node__name">{s.environment.name}</span>
          <span class="muted small">stage {s.orderIndex + 1}</span>
        </div>
      )}
    />
  );
}

export function PipelinesPage({ teamId }: { teamId: string }) {
  const [editing, setEditing] = useState<Pipeline | "new" | null>(null);
  const [deleting, setDeleting] = useState<Pipeline | null>(null);
  useEffect(() => {
    void pipelines.load(teamId);
    void environments.load(teamId);
  }, [teamId]);
  const manage = can.value.manageTeam;
  return (
    <>
      <PageHeader title="Pipelines">
        {manage && (
          <button
            type="button"
            class="btn btn--primary"
            disabled={(environments.data.value ?? []).length === 0}
            onClick={() => setEditing("new")}
          >
            New pipeline
          </button>
        )}
      </PageHeader>
      <ResourceView
        resource={pipelines}
        empty={<p>No pipelines yet. A pipeline is the path a feature takes through your environments.</p>}
      >
        {(list) => (
          <ul class="cards">
            {list.map((p) => (
              <li key={p.id} class="panel">
                <header class="panel__header">
                  <h2>{p.name}</h2>
                  {!p.active && <span class="chip">inactive</span>}
                  {manage && (
                    <RowActions name={p.name} inline onEdit={() => setEditing(p)} onDelete={() => setDeleting(p)} />
                  )}
                </header>
                <PipelineFlow pipeline={p} />
              </li>
            ))}
          </ul>
        )}
      </ResourceView>
      {editing && (
        <PipelineDialog
          teamId={teamId}
          pipeline={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message={<p>Features created from it keep their stages; new features can no longer use it.</p>}
        confirmLabel="Delete pipeline"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={() => (deleting ? deletePipeline(deleting.id) : Promise.resolve())}
      />
    </>
  );
}
