/** Stage changes waiting for a decision in the team, with the decisions the user may take. */
import { useEffect } from "preact/hooks";
import { PageHeader, ResourceView } from "../components/async-state.tsx";
import { StageActions } from "../components/stage-actions.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAction } from "../components/use-action.ts";
import { decide, pendingApprovals } from "../models/approvals.ts";
import type { Feature, FeatureStage } from "../models/feature.ts";
import { nameOf, teamPeople } from "../models/people.ts";
import { me } from "../models/session.ts";
import { can } from "../models/teams.ts";
import { stageActions } from "../models/workflow.ts";

const PENDING = new Set(["DEPLOYMENT_REQUESTED", "ROLLBACK_REQUESTED"]);

function Request({ feature, stage }: { feature: Feature; stage: FeatureStage }) {
  const decision = useAction();
  const { actions, note } = stageActions(stage, can.value, me.value?.id ?? null);
  return (
    <li class="panel approval">
      <header class="panel__header">
        <h2>
          <a href={`/features/${feature.id}`}>{feature.key}</a> <span class="muted">in</span> {stage.environment.name}
        </h2>
        <StatusBadge status={stage.status} enabled={stage.enabled} />
      </header>
      <StageActions
        actions={actions.filter((a) => a.needs === "decide")}
        note={note}
        busy={decision.busy}
        requested={
          stage.requestedBy && stage.requestedAt ? { by: nameOf(stage.requestedBy), at: stage.requestedAt } : null
        }
        decided={null}
        onAction={(a) => void decision.run(() => decide(stage.id, a.to))}
      />
      {decision.error && (
        <p class="form-error" role="alert">
          {decision.error}
        </p>
      )}
    </li>
  );
}

export function ApprovalsPage({ teamId }: { teamId: string }) {
  useEffect(() => {
    void pendingApprovals.load(teamId);
    void teamPeople.load(teamId);
  }, [teamId]);
  return (
    <>
      <PageHeader title="Approvals" />
      <ResourceView resource={pendingApprovals} empty={<p>Nothing is waiting for a decision.</p>}>
        {(list) => (
          <ul class="cards">
            {list.flatMap((f) =>
              f.stages.filter((s) => PENDING.has(s.status)).map((s) => <Request key={s.id} feature={f} stage={s} />),
            )}
          </ul>
        )}
      </ResourceView>
    </>
  );
}
