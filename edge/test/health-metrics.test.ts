import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PROD, teamSnapshot } from "./support/fixtures.ts";
import { backendClient, OWN_ID, OWN_SECRET, snapshotFile, startTestEdge, type TestEdge } from "./support/harness.ts";

describe("health", () => {
  test("with a disk snapshot and no backend, the edge serves and says degraded with the file's staleness", async () => {
    const savedAt = Date.now() - 60_000;
    const edge = await startTestEdge(
      snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [teamSnapshot()], savedAt),
    );
    try {
      const response = await fetch(`${edge.url}/health`);
      expect(response.status).toBe(200);
      const health = await response.json();
      expect(health).toMatchObject({ status: "degraded", connected: false, version: 7, flags: 8 });
      expect(health.staleness_seconds).toBeGreaterThanOrEqual(59);
      const answer = await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.id, context: [] });
      expect(await answer.json()).toMatchObject({ enabled: true, version: 7 });
    } finally {
      await edge.close();
    }
  });

  test("a bare engine snapshot file is served to the edge's own client", async () => {
    const edge = await startTestEdge(teamSnapshot(3));
    try {
      const answer = await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.name, context: [] });
      expect(await answer.json()).toMatchObject({ enabled: true, version: 3 });
    } finally {
      await edge.close();
    }
  });

  test("without any snapshot the edge is live but starting (503), and evaluations wait rather than guess", async () => {
    const edge = await startTestEdge(undefined);
    try {
      const health = await fetch(`${edge.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: "starting", connected: false });
      expect((await fetch(`${edge.url}/health/live`)).status).toBe(200);
      const answer = await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.id, context: [] });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
    } finally {
      await edge.close();
    }
  });
});

describe("metrics", () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await startTestEdge(snapshotFile([backendClient(OWN_ID, "team-a", OWN_SECRET)], [teamSnapshot()]), {
      EDGE_EVENT_BUFFER_SIZE: "3",
    });
  });
  afterAll(() => edge.close());

  test("exposes request counts and latency per route, evaluations per flag, store, buffer and stream state", async () => {
    for (let i = 0; i < 5; i++) {
      await edge.post("/evaluate", { feature_key: "static-on", environment_id: PROD.id, context: [] });
    }
    await edge.post("/evaluate", { feature_key: "nope", environment_id: PROD.id, context: [] });
    await edge.post("/ofrep/v1/evaluate/flags/static-on", { context: { environment_id: PROD.id } });
    const response = await fetch(`${edge.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const value = (pattern: string) => {
      const line = text.split("\n").find((l) => l.startsWith(pattern));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
    };
    expect(value('fluxgate_edge_http_requests_total{route="evaluate",status="200"}')).toBe(5);
    expect(value('fluxgate_edge_http_requests_total{route="evaluate",status="404"}')).toBe(1);
    expect(value('fluxgate_edge_http_requests_total{route="ofrep_flag",status="200"}')).toBe(1);
    expect(value('fluxgate_edge_http_request_duration_seconds_count{route="evaluate"}')).toBe(6);
    expect(value('fluxgate_edge_http_request_duration_seconds_bucket{route="evaluate",le="+Inf"}')).toBe(6);
    expect(value(`fluxgate_edge_evaluations_total{client="${OWN_ID}",environment="${PROD.id}",flag="static-on"}`)).toBe(
      6,
    );
    expect(value('fluxgate_edge_store_version{team="team-a"}')).toBe(7);
    expect(value('fluxgate_edge_store_flags{team="team-a"}')).toBe(8);
    expect(value('fluxgate_edge_store_staleness_seconds{team="team-a"}')).toBeGreaterThanOrEqual(0);
    expect(value("fluxgate_edge_event_buffer_size")).toBe(3);
    expect(value("fluxgate_edge_event_buffer_capacity")).toBe(3);
    expect(value("fluxgate_edge_events_dropped_total")).toBe(3);
    expect(value(`fluxgate_edge_stream_connected{client="${OWN_ID}",own="true"}`)).toBe(0);
  });
});

describe("docs", () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await startTestEdge(teamSnapshot());
  });
  afterAll(() => edge.close());

  test("/openapi.json describes every endpoint the edge serves", async () => {
    const doc = await (await fetch(`${edge.url}/openapi.json`)).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/docs",
        "/evaluate",
        "/health",
        "/health/live",
        "/metrics",
        "/ofrep/v1/evaluate/flags",
        "/ofrep/v1/evaluate/flags/{key}",
        "/openapi.json",
      ].sort(),
    );
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/(\w+)/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas[ref.split("/").pop()!]).toBeDefined();
  });

  test("/docs is a self-contained page that loads nothing from another host", async () => {
    const response = await fetch(`${edge.url}/docs`);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("/openapi.json");
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });
});
