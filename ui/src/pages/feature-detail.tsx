/**
 * One feature: its stages along the pipeline with the workflow actions the role allows, each stage's
 * targeting rules, kill switch, "test this flag", settings (variants, dependencies) and history.
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso/router";
import { ApiError } from "../api/errors.ts";
import { ActivityList } from "../components/activity-list.tsx";
import { Async, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { TextField } from "../components/fields.tsx";
import { KillSwitch } from "../components/kill-switch.tsx";
import { RulesEditor } from "../components/rules-editor.tsx";
import { StageActions } from "../components/stage-actions.tsx";
import { StageFlow } from "../components/stage-flow.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { TestFlagPanel } from "../components/test-flag-panel.tsx";
import { useAction } from "../components/use-action.ts";
import { contexts } from "../models/contexts.ts";
import {
  changeStage,
  deleteFeature,
  dirtyStages,
  discardRules,
  editRules,
  type Feature,
  type FeatureStage,
  feature,
  history,
  historyKey,
  killFeature,
  previewContext,
  previewEvaluation,
  previewResult,
  reviveFeature,
  rulesOf,
  saveRules,
  setBucketingKey,
} from "../models/feature.ts";
import { features } from "../models/features.ts";
import { nameOf, teamPeople } from "../models/people.ts";
import { ruleProblems } from "../models/rules.ts";
import { me } from "../models/session.ts";
import { can } from "../models/teams.ts";
import { stageActions } from "../models/workflow.ts";
import { FeatureSettings } from "./feature-settings.tsx";

function variantOptions(f: Feature) {
  return f.valueType === "boolean"
    ? [
        { key: "on", weight: 1 },
        { key: "off", weight: 1 },
      ]
    : f.variants;
}

/** Server paths such as `rules[0].rollout` (or `input.rules[0]…`) as the editor's `[0].rollout`. */
function serverRuleErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(error.fieldPaths)) {
    const match = /rules(\[\d+\].*)$/.exec(path);
    if (match) out[match[1]] = message;
  }
  return out;
}

/** The context key users are bucketed on in this stage, for rollouts and splits. */
function StickyKey({ stage, readOnly }: { stage: FeatureStage; readOnly: boolean }) {
  const [value, setValue] = useState(stage.bucketingKey ?? "");
  const save = useAction();
  const changed = value.trim() !== (stage.bucketingKey ?? "");
  return (
    <form
      class="inline-field sticky-key"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(() => setBucketingKey(stage.id, value.trim() || null));
      }}
    >
      <TextField
        label="Bucket users by"
        placeholder="targetingKey, then userId"
        hint="The context attribute that keeps a user in the same rollout bucket and split."
        value={value}
        readOnly={readOnly}
        onValue={setValue}
        error={save.error}
      />
      {!readOnly && changed && (
        <button type="submit" class="btn btn--small" disabled={save.busy}>
          Save
        </button>
      )}
    </form>
  );
}

function StagePanel({ f, stage }: { f: Feature; stage: FeatureStage }) {
  const workflow = useAction();
  const rulesSave = useAction();
  const [ruleErrors, setRuleErrors] = useState<Record<string, string>>({});
  const teamContexts = contexts.data.value ?? [];
  const contextValues = (id: string) => teamContexts.find((c) => c.id === id)?.values ?? [];
  const rules = rulesOf(stage);
  const dirty = dirtyStages.value.has(stage.id);
  const { actions, note } = stageActions(stage, can.value, me.value?.id ?? null);
  const save = async () => {
    const problems = ruleProblems(f, rules, contextValues);
    setRuleErrors(problems);
    if (Object.keys(problems).length) {
      rulesSave.setError("Some rules need fixing before they can be saved.");
      return;
    }
    let serverErrors: Record<string, string> = {};
    await rulesSave.run(async () => {
      try {
        await saveRules(stage.id, rules);
      } catch (error) {
        serverErrors = serverRuleErrors(error);
        throw error;
      }
    });
    setRuleErrors(serverErrors);
  };
  return (
    <section class="panel stage-panel" aria-labelledby="stage-title">
      <header class="stage-panel__header">
        <h2 id="stage-title">{stage.environment.name}</h2>
        <StatusBadge status={stage.status} enabled={stage.enabled} killed={f.killed && stage.enabled} />
        {stage.requiresApproval && <span class="chip">approval required</span>}
      </header>
      <StageActions
        actions={actions}
        note={note}
        busy={workflow.busy}
        requested={
          stage.requestedBy && stage.requestedAt ? { by: nameOf(stage.requestedBy), at: stage.requestedAt } : null
        }
        decided={stage.approvedBy && stage.approvedAt ? { by: nameOf(stage.approvedBy), at: stage.approvedAt } : null}
        onAction={(a) => void workflow.run(() => changeStage(stage.id, a.to))}
      />
      {workflow.error && (
        <p class="form-error" role="alert">
          {workflow.error}
        </p>
      )}
      <StickyKey stage={stage} readOnly={!can.value.edit} />
      <h3>Targeting rules</h3>
      <RulesEditor
        rules={rules}
        onChange={(next) => editRules(stage.id, next)}
        variants={variantOptions(f)}
        contexts={teamContexts}
        errors={ruleErrors}
        readOnly={!can.value.edit}
        environmentName={stage.environment.name}
      />
      {dirty && (
        <section class="savebar" aria-label="Unsaved rules">
          <span>Unsaved changes to the rules in {stage.environment.name}.</span>
          <button
            type="button"
            class="btn"
            onClick={() => {
              discardRules(stage.id);
              setRuleErrors({});
              rulesSave.setError(null);
            }}
          >
            Discard
          </button>
          <button type="button" class="btn btn--primary" disabled={rulesSave.busy} onClick={() => void save()}>
            Save rules
          </button>
        </section>
      )}
      {rulesSave.error && (
        <p class="form-error" role="alert">
          {rulesSave.error}
        </p>
      )}
    </section>
  );
}

function FeatureView({ f }: { f: Feature }) {
  const { route } = useLocation();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [testEnv, setTestEnv] = useState<string>("");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const kill = useAction();
  const test = useAction();
  const stage = f.stages.find((s) => s.id === selectedId) ?? f.stages[0];
  const envId = testEnv || stage?.environment.id || "";
  const others = (features.data.value ?? []).filter((o) => o.id !== f.id);
  const historyFor = historyKey(f);
  useEffect(() => {
    document.title = `${f.key} · FluxGate`;
  }, [f.key]);
  useEffect(() => void history.load(historyFor), [historyFor]);
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href="/features">Features</a> <span aria-hidden="true">/</span> <span aria-current="page">{f.key}</span>
      </nav>
      <header class="page-header">
        <h1>
          {f.key}
          {f.killed && <span class="badge badge--killed">Killed</span>}
        </h1>
        <div class="page-header__actions">
          {can.value.edit && (
            <button type="button" class="btn btn--ghost" onClick={() => setConfirmDelete(true)}>
              Delete feature
            </button>
          )}
        </div>
      </header>
      {f.description && <p class="lead">{f.description}</p>}
      <div class="detail">
        <div class="detail__main">
          <section class="panel" aria-labelledby="stages-title">
            <h2 id="stages-title">Stages</h2>
            <p class="muted small">Select a stage to see its workflow and rules.</p>
            <StageFlow
              label={`Stages of ${f.key}`}
              nodes={f.stages.map((s) => ({ ...s, parentId: s.parentStageId }))}
              renderNode={(s) => (
                <button
                  type="button"
                  class={`stage-node ${s.id === stage?.id ? "stage-node--selected" : ""}`}
                  aria-pressed={s.id === stage?.id}
                  onClick={() => setSelectedId(s.id)}
                >
                  <span class="stage-node__name">
                    {s.environment.name}
                    {dirtyStages.value.has(s.id) && <span title="Unsaved rules"> •</span>}
                  </span>
                  <StatusBadge status={s.status} enabled={s.enabled} killed={f.killed && s.enabled} />
                </button>
              )}
            />
          </section>
          {stage && <StagePanel key={stage.id} f={f} stage={stage} />}
        </div>
        <aside class="detail__side">
          <KillSwitch
            killed={f.killed}
            killedAt={f.killedAt}
            killScheduledAt={f.killScheduledAt}
            canKill={can.value.kill}
            busy={kill.busy}
            error={kill.error}
            onKill={(minutes) => void kill.run(() => killFeature(f.id, minutes))}
            onRelease={() => void kill.run(() => reviveFeature(f.id))}
          />
          <TestFlagPanel
            environments={f.stages.map((s) => s.environment)}
            environmentId={envId}
            onEnvironment={setTestEnv}
            rows={previewContext.value}
            onRows={(rows) => {
              previewContext.value = rows;
            }}
            onRun={() => void test.run(() => previewEvaluation(f, envId))}
            busy={test.busy}
            error={test.error}
            result={previewResult.value?.featureId === f.id ? previewResult.value : null}
          />
          <FeatureSettings f={f} candidates={others} readOnly={!can.value.edit} />
          <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ResourceView resource={history} empty={<p class="muted">No recorded changes.</p>}>
              {(entries) => <ActivityList entries={entries} />}
            </ResourceView>
          </section>
        </aside>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${f.key}?`}
        message={
          <p>
            Edges stop serving <code>{f.key}</code> at once, and services asking for it get “flag not found”. This
            cannot be undone.
          </p>
        }
        confirmLabel="Delete feature"
        danger
        onClose={() => setConfirmDelete(false)}
        onConfirm={async () => {
          await deleteFeature(f.id);
          route("/features");
        }}
      />
    </>
  );
}

export function FeatureDetailPage({ id, teamId }: { id: string; teamId: string }) {
  useEffect(() => void feature.load(id), [id]);
  useEffect(() => {
    void contexts.load(teamId);
    void features.load(teamId);
    void teamPeople.load(teamId);
  }, [teamId]);
  const current = feature.key() === id ? feature.data.value : undefined;
  return (
    <Async
      data={current}
      loading={feature.loading.value}
      error={feature.error.value}
      onRetry={() => void feature.refresh()}
    >
      {(f) => <FeatureView f={f} />}
    </Async>
  );
}
