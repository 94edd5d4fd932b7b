/** The selected team's environments. */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export interface Environment {
  id: string;
  name: string;
  active: boolean;
  /** Deployments here need an approver's decision. */
  requiresApproval: boolean;
}

export interface EnvironmentInput {
  name: string;
  active: boolean;
  requiresApproval: boolean;
}

const FIELDS = "id name active requiresApproval";

export const environments = createResource<string, Environment[]>(async (teamId) => {
  const data = await api.request<{ environments: { items: Environment[] } }>(
    `query Environments($teamId: ID!) { environments(teamId: $teamId) { items { ${FIELDS} } } }`,
    { teamId },
  );
  return data.environments.items;
});

export async function createEnvironment(teamId: string, input: EnvironmentInput): Promise<Environment> {
  const data = await api.request<{ createEnvironment: Environment }>(
    `mutation CreateEnvironment($teamId: ID!, $input: CreateEnvironmentInput!) {
      createEnvironment(teamId: $teamId, input: $input) { ${FIELDS} } }`,
    { teamId, input },
  );
  await environments.refresh();
  return data.createEnvironment;
}

export async function updateEnvironment(id: string, input: EnvironmentInput): Promise<Environment> {
  const data = await api.request<{ updateEnvironment: Environment }>(
    `mutation UpdateEnvironment($id: ID!, $input: UpdateEnvironmentInput!) {
      updateEnvironment(id: $id, input: $input) { ${FIELDS} } }`,
    { id, input },
  );
  await environments.refresh();
  return data.updateEnvironment;
}

export async function deleteEnvironment(id: string): Promise<void> {
  await api.request("mutation DeleteEnvironment($id: ID!) { deleteEnvironment(id: $id) }", { id });
  await environments.refresh();
}
