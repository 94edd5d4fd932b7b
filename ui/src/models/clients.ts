/** Edge clients: credentials for edges and SDKs. The secret is shown once, at creation or rotation. */
import { signal } from "@preact/signals";
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export type ClientType = "BACKEND" | "WEB";

export interface Client {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  clientType: ClientType;
  /** The one environment it may read; null = every environment of the team. */
  environmentId: string | null;
  webOrigins: string[];
  secretPrefix: string;
  createdAt: string;
}

export interface ClientInput {
  name: string;
  description: string;
  enabled: boolean;
  clientType: ClientType;
  environmentId: string | null;
  webOrigins: string[];
}

/** A secret just issued, for the one dialog that shows it. Cleared when the dialog closes. */
export interface IssuedSecret {
  clientId: string;
  clientName: string;
  secret: string;
}

const FIELDS = "id name description enabled clientType environmentId webOrigins secretPrefix createdAt";

export const clients = createResource<string, Client[]>(async (teamId) => {
  const data = await api.request<{ clients: { items: Client[] } }>(
    `query Clients($teamId: ID!) { clients(teamId: $teamId) { items { ${FIELDS} } } }`,
    { teamId },
  );
  return data.clients.items;
});

export const issuedSecret = signal<IssuedSecret | null>(null);

export function dismissSecret(): void {
  issuedSecret.value = null;
}

function apiInput(input: ClientInput) {
  return { ...input, webOrigins: input.clientType === "WEB" ? input.webOrigins : [] };
}

export async function createClient(teamId: string, input: ClientInput): Promise<void> {
  const data = await api.request<{ createClient: { client: Client; secret: string } }>(
    `mutation CreateClient($teamId: ID!, $input: CreateClientInput!) {
      createClient(teamId: $teamId, input: $input) { secret client { ${FIELDS} } } }`,
    { teamId, input: apiInput(input) },
  );
  const { client, secret } = data.createClient;
  issuedSecret.value = { clientId: client.id, clientName: client.name, secret };
  await clients.refresh();
}

export async function updateClient(id: string, input: ClientInput): Promise<void> {
  await api.request(
    `mutation UpdateClient($id: ID!, $input: UpdateClientInput!) { updateClient(id: $id, input: $input) { ${FIELDS} } }`,
    { id, input: apiInput(input) },
  );
  await clients.refresh();
}

export async function rotateClientSecret(id: string): Promise<void> {
  const data = await api.request<{ rotateClientSecret: { client: Client; secret: string } }>(
    `mutation RotateClientSecret($id: ID!) { rotateClientSecret(id: $id) { secret client { ${FIELDS} } } }`,
    { id },
  );
  const { client, secret } = data.rotateClientSecret;
  issuedSecret.value = { clientId: client.id, clientName: client.name, secret };
  await clients.refresh();
}

export async function deleteClient(id: string): Promise<void> {
  await api.request("mutation DeleteClient($id: ID!) { deleteClient(id: $id) }", { id });
  await clients.refresh();
}
