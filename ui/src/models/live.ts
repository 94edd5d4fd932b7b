/**
 * Live updates: while signed in, `featureChanged(teamId)` tells which entity of the selected team changed
 * (by anyone: another admin, the kill-switch scheduler) and the model holding it reloads. After a
 * dropped stream comes back, everything loaded is reloaded, since changes may have been missed.
 */
import { effect, untracked } from "@preact/signals";
import { activity } from "./activity.ts";
import { live } from "./api.ts";
import { pendingApprovals } from "./approvals.ts";
import { clients } from "./clients.ts";
import { contexts } from "./contexts.ts";
import { environments } from "./environments.ts";
import { feature, history } from "./feature.ts";
import { features } from "./features.ts";
import { pipelines } from "./pipelines.ts";
import type { Resource } from "./resource.ts";
import { status } from "./session.ts";
import { currentTeamId, teams } from "./teams.ts";

export interface ConfigChange {
  version: number;
  teamId: string;
  kind: "UPSERT" | "DELETE";
  entity: string;
  entityId: string;
  key: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of resources of different types, only refreshed
type AnyResource = Resource<any, any>;

/** The resources an entity's change makes stale. */
function staleFor(change: ConfigChange): AnyResource[] {
  const teamScoped = (r: AnyResource) => r.key() === change.teamId;
  const list: AnyResource[] = [activity];
  switch (change.entity) {
    case "feature":
      list.push(...[features, pendingApprovals].filter(teamScoped));
      if (feature.key() === change.entityId) list.push(feature, history);
      break;
    case "environment":
      list.push(...[environments, pipelines, features].filter(teamScoped));
      break;
    case "pipeline":
      list.push(...[pipelines].filter(teamScoped));
      break;
    case "context":
      list.push(...[contexts].filter(teamScoped));
      if (feature.data.peek()) list.push(feature);
      break;
    case "client":
      list.push(...[clients].filter(teamScoped));
      break;
    case "team":
      list.push(teams);
      break;
  }
  return list;
}

const everything: AnyResource[] = [
  features,
  feature,
  history,
  pendingApprovals,
  environments,
  pipelines,
  contexts,
  clients,
  activity,
];

let pending = new Set<AnyResource>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Coalesces a burst of changes (a rule save touches several rows) into one reload per resource. */
function refreshSoon(resources: AnyResource[]): void {
  for (const r of resources) pending.add(r);
  clearTimeout(timer);
  timer = setTimeout(() => {
    const batch = pending;
    pending = new Set();
    for (const r of batch) if (r.key() !== undefined) void r.refresh();
  }, 150);
}

export function applyChange(change: ConfigChange): void {
  refreshSoon(staleFor(change));
}

export const FEATURE_CHANGED = `subscription FeatureChanged($teamId: ID!) {
  featureChanged(teamId: $teamId) { version teamId kind entity entityId key } }`;

/** Starts following the selected team while signed in; returns the effect's disposer. */
export function startLiveUpdates(): () => void {
  return effect(() => {
    const teamId = currentTeamId.value;
    if (status.value !== "signed-in" || !teamId) return;
    // the subscription's own state changes must not re-run this effect: only the team and the session do
    return untracked(() =>
      live<{ featureChanged: ConfigChange }>({
        name: "featureChanged",
        query: FEATURE_CHANGED,
        variables: { teamId },
        onData: (data) => applyChange(data.featureChanged),
        onReconnected: () => refreshSoon(everything),
      }),
    );
  });
}
