/** Contexts: named lists of values (countries, beta users…) that rule conditions can take their values from. */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export interface Context {
  id: string;
  key: string;
  description: string;
  values: string[];
}

export interface ContextInput {
  key: string;
  description: string;
  /** The values, as the API names them. */
  entries: string[];
}

const FIELDS = "id key description values";

export const contexts = createResource<string, Context[]>(async (teamId) => {
  const data = await api.request<{ contexts: { items: Context[] } }>(
    `query Contexts($teamId: ID!) { contexts(teamId: $teamId) { items { ${FIELDS} } } }`,
    { teamId },
  );
  return data.contexts.items;
});

/** Splits a textarea into distinct, trimmed, non-empty values, one per line (values may hold commas). */
export function parseValues(text: string): string[] {
  return [...new Set(text.split("\n").map((v) => v.trim()))].filter(Boolean);
}

export async function createContext(teamId: string, input: ContextInput): Promise<void> {
  await api.request(
    `mutation CreateContext($teamId: ID!, $input: CreateContextInput!) {
      createContext(teamId: $teamId, input: $input) { ${FIELDS} } }`,
    { teamId, input },
  );
  await contexts.refresh();
}

export async function updateContext(id: string, input: ContextInput): Promise<void> {
  await api.request(
    `mutation UpdateContext($id: ID!, $input: UpdateContextInput!) { updateContext(id: $id, input: $input) { ${FIELDS} } }`,
    { id, input },
  );
  await contexts.refresh();
}

export async function deleteContext(id: string): Promise<void> {
  await api.request("mutation DeleteContext($id: ID!) { deleteContext(id: $id) }", { id });
  await contexts.refresh();
}
