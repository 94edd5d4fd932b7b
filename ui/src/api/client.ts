/** A small typed GraphQL client: fetch with a bearer token for queries and mutations. */
import { ApiError, type GraphQLErrorPayload, toApiError } from "./errors.ts";

export type Variables = Record<string, unknown>;

export interface ClientOptions {
  endpoint: () => string;
  token: () => string | null;
  /** Called for UNAUTHENTICATED and PASSWORD_RESET_REQUIRED before the error is thrown. */
  onAuthError?: (error: ApiError) => void;
  fetch?: typeof fetch;
}

export interface GraphQLClient {
  request<T>(query: string, variables?: Variables): Promise<T>;
  readonly options: ClientOptions;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorPayload[];
}

export function isAuthError(error: ApiError): boolean {
  return error.code === "UNAUTHENTICATED" || error.code === "PASSWORD_RESET_REQUIRED";
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The operation name, sent so server logs and rate limits can tell operations apart. */
export function operationName(query: string): string | undefined {
  return /(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1];
}

async function readBody<T>(response: Response): Promise<GraphQLResponse<T>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    const code = response.status === 401 ? "UNAUTHENTICATED" : response.status === 429 ? "RATE_LIMITED" : "INTERNAL";
    return { errors: [{ message: `${response.status} ${response.statusText}`.trim(), extensions: { code } }] };
  }
}

export function createGraphQLClient(options: ClientOptions): GraphQLClient {
  async function request<T>(query: string, variables: Variables = {}): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(options.endpoint(), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...authHeaders(options.token()),
        },
        body: JSON.stringify({ query, variables, operationName: operationName(query) }),
      });
    } catch (cause) {
      throw new ApiError("NETWORK", cause instanceof Error ? cause.message : "Network error");
    }
    const body = await readBody<T>(response);
    if (body.errors?.length) {
      const error = toApiError(body.errors);
      if (isAuthError(error)) options.onAuthError?.(error);
      throw error;
    }
    if (body.data == null) throw new ApiError("INTERNAL", "The server returned no data");
    return body.data;
  }
  return { request, options };
}
