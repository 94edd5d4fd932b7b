import { describe, expect, test } from "bun:test";
import { createGraphQLClient } from "../src/api/client.ts";
import { ApiError, errorMessage, toApiError } from "../src/api/errors.ts";
import { backoffDelay, parseEvents, type StreamState, subscribe } from "../src/api/sse.ts";
import { graphqlEndpoint } from "../src/config.ts";

describe("runtime config", () => {
  test("absent or empty config means the same origin", () => {
    expect(graphqlEndpoint(undefined, "https://flags.example.com")).toBe("https://flags.example.com/graphql");
    expect(graphqlEndpoint({ BACKEND_HOST: "" }, "http://localhost:8080")).toBe("http://localhost:8080/graphql");
  });
  test("a configured backend host, port and protocol", () => {
    expect(
      graphqlEndpoint({ BACKEND_HOST: "api.example.com", BACKEND_PORT: 8443, BACKEND_PROTOCOL: "https" }, "http://x"),
    ).toBe("https://api.example.com:8443/graphql");
    expect(graphqlEndpoint({ BACKEND_HOST: "api", BACKEND_PROTOCOL: "http:" }, "https://x")).toBe("http://api/graphql");
  });
});

describe("errors", () => {
  test("the first error's code and message, each named field's message", () => {
    const error = toApiError([
      { message: "name must be at least 3 characters", extensions: { code: "BAD_USER_INPUT", field: "input.name" } },
      { message: "second", extensions: { code: "BAD_USER_INPUT", field: "input.webOrigins[1]" } },
    ]);
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toBe("name must be at least 3 characters");
    expect(error.fieldErrors).toEqual({ name: "name must be at least 3 characters", webOrigins: "second" });
    expect(error.fieldPaths["input.webOrigins[1]"]).toBe("second");
  });
  test("an unknown code is INTERNAL", () => {
    expect(toApiError([{ message: "boom", extensions: { code: "WHATEVER" } }]).code).toBe("INTERNAL");
  });
  test("network errors read as a sentence", () => {
    expect(errorMessage(new ApiError("NETWORK", "fetch failed"))).toContain("could not be reached");
  });
});

describe("query client", () => {
  test("sends the bearer token and the operation name", async () => {
    let seen: RequestInit | undefined;
    const client = createGraphQLClient({
      endpoint: () => "http://api/graphql",
      token: () => "tok",
      fetch: (async (_: unknown, init?: RequestInit) => {
        seen = init;
        return Response.json({ data: { ok: true } });
      }) as typeof fetch,
    });
    expect(await client.request<{ ok: boolean }>("query Ping { ok }")).toEqual({ ok: true });
    expect(new Headers(seen?.headers).get("authorization")).toBe("Bearer tok");
    expect(JSON.parse(String(seen?.body)).operationName).toBe("Ping");
  });
  test("UNAUTHENTICATED is reported to the session before it is thrown", async () => {
    const reported: string[] = [];
    const client = createGraphQLClient({
      endpoint: () => "http://api/graphql",
      token: () => "expired",
      onAuthError: (e) => reported.push(e.code),
      fetch: (async () =>
        Response.json(
          { errors: [{ message: "token expired", extensions: { code: "UNAUTHENTICATED" } }] },
          { status: 401 },
        )) as unknown as typeof fetch,
    });
    await expect(client.request("query Me { me { id } }")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(reported).toEqual(["UNAUTHENTICATED"]);
  });
  test("a refused connection is a NETWORK error", async () => {
    const client = createGraphQLClient({
      endpoint: () => "http://api/graphql",
      token: () => null,
      fetch: (async () => {
        throw new TypeError("connection refused");
      }) as unknown as typeof fetch,
    });
    await expect(client.request("query X { x }")).rejects.toMatchObject({ code: "NETWORK" });
  });
});

describe("SSE subscriptions", () => {
  test("parses next and complete frames, ignores pings, keeps a partial frame", () => {
    const { events, rest } = parseEvents(
      ':\n\nevent: next\ndata: {"data":{"n":1}}\n\nevent: complete\ndata:\n\nevent: ne',
    );
    expect(events).toEqual([
      { event: "next", data: '{"data":{"n":1}}' },
      { event: "complete", data: "" },
    ]);
    expect(rest).toBe("event: ne");
  });

  test("backoff doubles from 0.5 s, is capped, and jitters by ±25 %", () => {
    expect(backoffDelay(0, 30_000, () => 0.5)).toBe(500);
    expect(backoffDelay(3, 30_000, () => 0.5)).toBe(4000);
    expect(backoffDelay(20, 30_000, () => 0.5)).toBe(30_000);
    expect(backoffDelay(0, 30_000, () => 0)).toBe(375);
    expect(backoffDelay(0, 30_000, () => 1)).toBe(625);
  });

  function stream(frames: string[], keepOpen: boolean): Response {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const f of frames) controller.enqueue(encoder.encode(f));
        if (!keepOpen) controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  }

  test("delivers data, reconnects after the stream drops, and says so", async () => {
    const states: StreamState[] = [];
    const data: number[] = [];
    let connections = 0;
    const stop = subscribe<{ n: number }>({
      endpoint: () => "http://api/graphql",
      token: () => "tok",
      query: "subscription S { n }",
      maxBackoffMs: 5,
      onData: (d) => data.push(d.n),
      onState: (s) => states.push(s),
      fetch: (async (_: unknown, init?: RequestInit) => {
        connections++;
        expect(new Headers(init?.headers).get("accept")).toBe("text/event-stream");
        return connections === 1
          ? stream(['event: next\ndata: {"data":{"n":1}}\n\n'], false)
          : stream([':\n\nevent: next\ndata: {"data":{"n":2}}\n\n'], true);
      }) as typeof fetch,
    });
    for (let i = 0; i < 50 && data.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    stop();
    expect(data).toEqual([1, 2]);
    expect(states).toEqual(["connecting", "live", "reconnecting", "live", "closed"]);
  });

  test("a refused subscription stops with the server's error instead of retrying", async () => {
    const errorsSeen: string[] = [];
    let connections = 0;
    subscribe({
      endpoint: () => "http://api/graphql",
      token: () => "tok",
      query: "subscription S { n }",
      onData: () => {},
      onError: (e) => errorsSeen.push(e.code),
      fetch: (async () => {
        connections++;
        return stream(['event: next\ndata: {"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]}\n\n'], true);
      }) as unknown as typeof fetch,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(errorsSeen).toEqual(["FORBIDDEN"]);
    expect(connections).toBe(1);
  });
});
