/** Stage changes waiting for a decision in the selected team. */
import { api } from "./api.ts";
import { changeStage } from "./feature.ts";
import { type ApiFeature, FEATURE_FIELDS, type Feature, featureFromApi } from "./feature-api.ts";
import { createResource } from "./resource.ts";
import type { StageStatus } from "./workflow.ts";

export const pendingApprovals = createResource<string, Feature[]>(async (teamId) => {
  const data = await api.request<{ pendingApprovals: { items: ApiFeature[] } }>(
    `query PendingApprovals($teamId: ID) { pendingApprovals(teamId: $teamId) { items { ${FEATURE_FIELDS} } } }`,
    { teamId },
  );
  return data.pendingApprovals.items.map(featureFromApi);
});

/** Approves or rejects from the queue, then reloads it. */
export async function decide(stageId: string, to: StageStatus): Promise<void> {
  await changeStage(stageId, to);
  await pendingApprovals.refresh();
}
