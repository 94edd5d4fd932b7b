/** Pipeline templates: environments in order, drawn as a flow; new features copy a pipeline's stages. */
import { useEffect, useState } from "preact/hooks";
import { Async, PageHeader } from "../components/async-state.tsx";
import { ConfirmDialog, Dialog } from "../components/dialog.tsx";
import { Checkbox, FormError, TextField } from "../components/fields.tsx";
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
    <Dialog open title={pipeline ? `Edit ${pipeline.name}` : "New pipeline"} onClose={onClose} wide>
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await form.submit(async (v) => {
            await (pipeline ? updatePipeline(pipeline.id, v) : createPipeline(teamId, v));
            return true;
          });
          if (done) onClose();
        }}
      >
        <TextField
          label="Name"
          value={values.value.name}
          onValue={(v) => form.set("name", v)}
          error={errors.value.name}
        />
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
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            {pipeline ? "Save" : "Create pipeline"}
          </button>
        </div>
      </form>
    </Dialog>
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
      <Async
        data={pipelines.data.value}
        loading={pipelines.loading.value}
        error={pipelines.error.value}
        onRetry={() => void pipelines.refresh()}
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
                    <span class="row-actions">
                      <button type="button" class="btn btn--small" onClick={() => setEditing(p)}>
                        Edit <span class="visually-hidden">{p.name}</span>
                      </button>
                      <button type="button" class="btn btn--small btn--ghost" onClick={() => setDeleting(p)}>
                        Delete <span class="visually-hidden">{p.name}</span>
                      </button>
                    </span>
                  )}
                </header>
                <PipelineFlow pipeline={p} />
              </li>
            ))}
          </ul>
        )}
      </Async>
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
