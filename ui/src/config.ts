/** Runtime settings the backend writes into /config.js; empty or absent means "same origin". */
export interface RuntimeConfig {
  BACKEND_HOST?: string;
  BACKEND_PORT?: string | number;
  BACKEND_PROTOCOL?: string;
  WS_PROTOCOL?: string;
}

declare global {
  interface Window {
    __FLUXGATE_CONFIG__?: RuntimeConfig;
  }
}

/** The GraphQL endpoint for queries, mutations and SSE subscriptions. */
export function graphqlEndpoint(
  config: RuntimeConfig | undefined = globalThis.window?.__FLUXGATE_CONFIG__,
  origin: string = globalThis.location?.origin ?? "http://localhost",
): string {
  if (!config?.BACKEND_HOST) return `${origin}/graphql`;
  const fallbackProtocol = new URL(origin).protocol.replace(":", "");
  const protocol = String(config.BACKEND_PROTOCOL || fallbackProtocol).replace(/:?\/*$/, "");
  const port = config.BACKEND_PORT ? `:${config.BACKEND_PORT}` : "";
  return `${protocol}://${config.BACKEND_HOST}${port}/graphql`;
}
