/** A fake GraphQL server behind `fetch`: answers by operation name and records every call. */

export interface Call {
  operationName: string;
  variables: Record<string, unknown>;
  authorization: string | null;
}

type Answer = unknown | { errors: unknown[] };
type Handler = Answer | ((variables: Record<string, unknown>) => Answer | Promise<Answer>);

/** A GraphQL error response, e.g. `errors({ message, extensions: { code, field } })`. */
export function errors(...list: { message: string; extensions?: Record<string, unknown> }[]): { errors: unknown[] } {
  return { errors: list };
}

function isErrors(answer: unknown): answer is { errors: unknown[] } {
  return typeof answer === "object" && answer !== null && "errors" in answer;
}

export function fakeApi(handlers: Record<string, Handler>): { calls: Call[] } {
  const calls: Call[] = [];
  globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: Record<string, unknown> };
    const headers = new Headers(init?.headers);
    calls.push({
      operationName: body.operationName,
      variables: body.variables,
      authorization: headers.get("authorization"),
    });
    const handler = handlers[body.operationName];
    const answer =
      handler === undefined
        ? errors({ message: `no fake for ${body.operationName}`, extensions: { code: "INTERNAL" } })
        : typeof handler === "function"
          ? await handler(body.variables)
          : handler;
    const payload = isErrors(answer) ? answer : { data: answer };
    return new Response(JSON.stringify(payload), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { calls };
}

/** Lets pending promises and signal effects settle. */
export async function settle(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}
