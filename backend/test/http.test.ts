import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const ORIGIN = "https://console.example.com";
let t: TestBackend;
let uiDir: string;
beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), "fluxgate-ui-"));
  mkdirSync(join(uiDir, "assets"));
  writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(join(uiDir, "assets", "app.js"), "console.log(1)");
  t = await startTestBackend({ config: { allowedOrigins: [ORIGIN], maxBodyBytes: 4096 }, uiDir });
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

describe("HTTP surface", () => {
  test("/health/live answers and /health reports the database", async () => {
    expect(await (await fetch(`${t.url}/health/live`)).json()).toEqual({ status: "ok" });
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: t.database.handle.kind });
  });

  test("CORS preflight allows the configured origin with credentials and the auth header", async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(response.headers.get("access-control-max-age")).toBe("3600");
  });

  test("CORS does not allow other origins", async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a body over the limit is 413 with a JSON message", async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ applicationStatus { adminConfigured } }`, padding: "x".repeat(5000) }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe("payload_too_large");
  });

  test("GraphiQL is served from the backend itself, with no CDN", async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("FluxGate GraphQL");
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh/);
  });

  test("/config.js gives the console its settings", async () => {
    const response = await fetch(`${t.url}/config.js`);
    expect(response.headers.get("content-type")).toContain("javascript");
    const text = await response.text();
    const settings = JSON.parse(text.replace(/^window\.__FLUXGATE_CONFIG__ = /, "").replace(/;\s*$/, ""));
    expect(settings).toEqual({
      BACKEND_HOST: "127.0.0.1",
      BACKEND_PORT: String(t.backend.port),
      BACKEND_PROTOCOL: "http",
      WS_PROTOCOL: "ws",
    });
  });

  test("the console is served with single-page fallback; missing assets are 404; nothing outside it is served", async () => {
    expect(await (await fetch(`${t.url}/`)).text()).toContain("<title>console</title>");
    expect(await (await fetch(`${t.url}/teams/123`)).text()).toContain("<title>console</title>");
    expect(await (await fetch(`${t.url}/assets/app.js`)).text()).toBe("console.log(1)");
    expect((await fetch(`${t.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/..%2f..%2fpackage.json`)).status).toBe(404);
  });
});
