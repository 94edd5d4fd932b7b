/** A tiny GraphQL-over-HTTP client for tests. */

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

// biome-ignore lint/suspicious/noExplicitAny: test results are read by shape
export interface GqlResult<T = any> {
  data?: T | null;
  errors?: GqlError[];
  /** HTTP status. */
  status: number;
}

// biome-ignore lint/suspicious/noExplicitAny: test results are read by shape
export type Gql = <T = any>(
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers?: Record<string, string>,
) => Promise<GqlResult<T>>;

export function gqlClient(url: string): Gql {
  return async (query, variables, token, headers = {}) => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: GqlError[] };
    return { data: body.data as never, errors: body.errors, status: response.status };
  };
}

/** The first error's code, for assertions. */
export const codeOf = (result: GqlResult): string | undefined => result.errors?.[0]?.extensions?.code;

/** The data of a successful result; throws with the errors otherwise. */
export function dataOf<T>(result: GqlResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}
