/** Stage changes waiting for a decision in the selected team. */
import { api } from "./api.ts";
import { FEATURE_FIELDS, type Feature } from "./feature.ts";
import { createResource } from "./resource.ts";

export const pendingApprovals = createResource<string, Feature[]>(async (teamId) => {
  const data = await api.request<{ pendingApprovals: { items: Feature[] } }>(
    `query PendingApprovals($teamId: ID) { pendingApprovals(teamId: $teamId) { items { ${FEATURE_FIELDS} } } }`,
    { teamId },
  );
  return data.pendingApprovals.items;
});

export async function decide(stageId: string, to: string): Promise<void> {
  await api.request(
    `mutation DecideStageChange($stageId: ID!, $request: StageChangeRequest!) {
      requestStageChange(stageId: $stageId, request: $request) { id } }`,
    { stageId, request: to },
  );
  await pendingApprovals.refresh();
}
