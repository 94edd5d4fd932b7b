/** A fake backend for live pages: JSON answers by operation name, and SSE streams the test writes into. */

const encoder = new TextEncoder();

export interface FakeStream {
  operationName: string;
  variables: Record<string, unknown>;
  closed: boolean;
  /** Sends one `next` event with `data`. */
  send(data: unknown): void;
  /** Sends one `next` event with GraphQL errors (the console then stops the stream). */
  sendErrors(errors: { message: string; extensions?: Record<string, unknown> }[]): void;
}

type Answers = Record<string, unknown | ((variables: Record<string, unknown>) => unknown)>;

export function fakeSseBackend(answers: Answers = {}) {
  const streams: FakeStream[] = [];
  globalThis.fetch = (async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: Record<string, unknown> };
    if (new Headers(init?.headers).get("accept") === "text/event-stream") {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const write = (payload: unknown) => {
        if (!stream.closed) controller.enqueue(encoder.encode(`event: next\ndata: ${JSON.stringify(payload)}\n\n`));
      };
      const stream: FakeStream = {
        operationName: body.operationName,
        variables: body.variables,
        closed: false,
        send: (data) => write({ data }),
        sendErrors: (errors) => write({ errors }),
      };
      streams.push(stream);
      const readable = new ReadableStream<Uint8Array>({
        start: (c) => {
          controller = c;
          c.enqueue(encoder.encode(":\n\n"));
        },
      });
      init?.signal?.addEventListener("abort", () => {
        stream.closed = true;
        readable.cancel().catch(() => {});
      });
      return new Response(readable, { headers: { "content-type": "text/event-stream" } });
    }
    const answer = answers[body.operationName];
    const data = typeof answer === "function" ? answer(body.variables) : answer;
    if (data === undefined) {
      return Response.json({
        errors: [{ message: `no fake for ${body.operationName}`, extensions: { code: "INTERNAL" } }],
      });
    }
    return Response.json({ data });
  }) as typeof fetch;
  /** The open streams of an operation, oldest first. */
  const open = (operationName: string) => streams.filter((s) => s.operationName === operationName && !s.closed);
  return { streams, open };
}

export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
