/**
 * The images' entry points, run directly as their containers would: the Dockerfile's CMD with the target's ENV
 * (ports and data paths moved to free ones and temp folders), answering their HEALTHCHECK; the production-safety
 * refusals they start with (NODE_ENV=production comes from the image); and the ui target's static server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../backend/src/config.ts";
import { productionProblems as backendProblems } from "../../backend/src/main.ts";
import { loadConfig as loadEdgeConfig } from "../../edge/src/config.ts";
import { productionProblems as edgeProblems } from "../../edge/src/main.ts";
import {
  type EdgeStartOptions,
  evaluate,
  execForm,
  freePort,
  lastInstruction,
  type Proc,
  readDockerfile,
  type Stack,
  spawnProc,
  stageEnv,
  startBackendProcess,
  startEdgeProcess,
  tempDir,
  waitHealthy,
} from "./support.ts";

const stages = readDockerfile();

/** The target's CMD with `bun` being this bun, and its image ENV with `overrides`. */
function asContainer(
  target: string,
  overrides: Record<string, string>,
): { cmd: string[]; env: Record<string, string> } {
  const cmd = execForm(lastInstruction(stages, target, "CMD")!.args);
  return {
    cmd: cmd[0] === "bun" ? [process.execPath, ...cmd.slice(1)] : cmd,
    env: { ...stageEnv(stages, target), ...overrides },
  };
}

function healthcheck(target: string, port: number): Promise<number> {
  const args = lastInstruction(stages, target, "HEALTHCHECK")!.args.replace(/^(--\S+\s+)*CMD\s+/, "");
  const [, script, url] = execForm(args);
  const child = Bun.spawn([process.execPath, script, url.replace(/:\d+\//, `:${port}/`)], {
    cwd: join(import.meta.dir, "../.."),
    stdout: "ignore",
    stderr: "ignore",
  });
  return child.exited;
}

async function exitWithin(proc: Proc, ms: number): Promise<number> {
  const code = await Promise.race([proc.child.exited, Bun.sleep(ms).then(() => -1)]);
  if (code === -1) await proc.kill();
  return code;
}

const refusals = (proc: Proc) =>
  proc
    .logs()
    .filter((l) => l.level === "error" && String(l.msg).startsWith("refusing to start in production: "))
    .map((l) => String(l.msg).replace("refusing to start in production: ", ""));

describe("backend and edge images, run as their containers", () => {
  let stack: Stack;
  let edge: { edge: Proc; url: string } | undefined;
  const dir = tempDir("fluxgate-entry-");

  beforeAll(async () => {
    const port = await freePort();
    const grpc = await freePort();
    const { cmd, env } = asContainer("backend", {
      FLUXGATE_HTTP_ADDR: `0.0.0.0:${port}`,
      FLUXGATE_GRPC_ADDR: `127.0.0.1:${grpc}`,
      FLUXGATE_DATA_DIR: join(dir.path, "pglite"),
      // the image is production: embedded PGlite and the demo seed need the override
      FLUXGATE_ALLOW_INSECURE: "1",
    });
    expect(env.NODE_ENV).toBe("production");
    stack = await startBackendProcess({ cmd, env });
  }, 120_000);

  afterAll(async () => {
    await edge?.edge.kill();
    await stack?.backend.kill();
    stack?.dir.remove();
    dir.remove();
  });

  test("the backend answers /health and its HEALTHCHECK passes", async () => {
    const port = Number(new URL(stack.backendUrl).port);
    expect(await (await fetch(`${stack.backendUrl}/health`)).json()).toEqual({ status: "ok", database: "pglite" });
    expect(await (await fetch(`${stack.backendUrl}/health/live`)).json()).toEqual({ status: "ok" });
    expect(await healthcheck("backend", port)).toBe(0);
    expect(await healthcheck("backend", await freePort())).toBe(1);
    // the overridden refusals were logged as warnings, one line each
    const warnings = stack.backend.logs().filter((l) => String(l.msg).startsWith("insecure production setting"));
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringContaining("allowed_origin 'http://localhost:5173' is a local address"),
      expect.stringContaining("no DATABASE_URL"),
      expect.stringContaining("FLUXGATE_DEMO_SEED=1"),
    ]);
  }, 60_000);

  test("the edge answers /health, its HEALTHCHECK passes, and it evaluates", async () => {
    const port = await freePort();
    const { cmd, env } = asContainer("edge", {
      EDGE_HTTP_ADDR: `0.0.0.0:${port}`,
      EDGE_SNAPSHOT_PATH: join(dir.path, "edge-snapshot.json"),
    });
    expect(env.NODE_ENV).toBe("production");
    const options: EdgeStartOptions = { cmd, env };
    edge = await startEdgeProcess(stack, options);
    expect(await (await fetch(`${edge.url}/health`)).json()).toMatchObject({ status: "ready", connected: true });
    expect(await healthcheck("edge", Number(new URL(edge.url).port))).toBe(0);
    const answer = await evaluate(edge.url, stack.demo.EDGE_CLIENT_SECRET);
    expect(answer).toMatchObject({ status: 200, body: { enabled: true, reason: "STATIC" } });
  }, 60_000);
});

describe("production safety at start", () => {
  test("the backend image refuses local origins, embedded PGlite and demo data, one line each, exit 1", async () => {
    const dir = tempDir("fluxgate-refuse-");
    try {
      const { cmd, env } = asContainer("backend", {
        FLUXGATE_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
        FLUXGATE_GRPC_ADDR: `127.0.0.1:${await freePort()}`,
        FLUXGATE_DATA_DIR: join(dir.path, "pglite"),
        FLUXGATE_ALLOWED_ORIGIN: "http://localhost:5173,http://console.example.com",
        FLUXGATE_DEMO_SEED: "1",
      });
      const proc = spawnProc("backend", cmd, env);
      expect(await exitWithin(proc, 45_000)).toBe(1);
      expect(refusals(proc)).toEqual([
        "allowed_origin 'http://localhost:5173' is a local address; set the console's public https origin",
        "allowed_origin 'http://console.example.com' is not https; serve the console over TLS and list its https origin",
        "no DATABASE_URL: embedded PGlite is a single-process development database; set DATABASE_URL",
        "FLUXGATE_DEMO_SEED=1 seeds demo data; unset it in production",
      ]);
      expect(proc.output()).toContain("FLUXGATE_ALLOW_INSECURE=1");
    } finally {
      dir.remove();
    }
  }, 60_000);

  test("the backend refuses a placeholder database password before connecting", async () => {
    const { cmd, env } = asContainer("backend", {
      FLUXGATE_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
      FLUXGATE_ALLOWED_ORIGIN: "https://console.example.com",
      DATABASE_URL: "postgres://fluxgate:CHANGE-ME@db.invalid:5432/fluxgate",
    });
    const proc = spawnProc("backend", cmd, env);
    expect(await exitWithin(proc, 45_000)).toBe(1);
    expect(refusals(proc)).toEqual([
      "DATABASE_URL has an empty, default or placeholder password; use the real database secret",
    ]);
    expect(proc.output()).not.toContain("CHANGE-ME");
  }, 60_000);

  test("a wildcard CORS origin never gets through (the config rejects it in any mode)", async () => {
    const { cmd, env } = asContainer("backend", { FLUXGATE_ALLOWED_ORIGIN: "*", FLUXGATE_ALLOW_INSECURE: "1" });
    const proc = spawnProc("backend", cmd, env);
    expect(await exitWithin(proc, 45_000)).toBe(1);
    expect(proc.output()).toContain("FLUXGATE_ALLOWED_ORIGIN (allowed_origin): '*' is not an origin");
    const config = parseConfig("", { env: { NODE_ENV: "production", DATABASE_URL: "postgres://u:p@db/x" } });
    expect(backendProblems({ ...config, allowedOrigins: ["https://*.example.com"] }, {})).toEqual([
      "allowed_origin 'https://*.example.com' is a wildcard; list the console's exact origins",
    ]);
  }, 60_000);

  test("a safe production backend configuration has no problems; development mode is never checked", () => {
    const env = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://fluxgate:s3cr3t-Long-Random@db.internal:5432/fluxgate",
      FLUXGATE_ALLOWED_ORIGIN: "https://console.example.com",
    };
    expect(backendProblems(parseConfig("", { env }), env)).toEqual([]);
    const dev = { FLUXGATE_DEMO_SEED: "1" };
    expect(backendProblems(parseConfig("", { env: dev }), dev)).toEqual([]);
    // `production = true` in config.toml counts too
    expect(backendProblems(parseConfig("production = true", { env: {} }), {})).toContain(
      "no DATABASE_URL: embedded PGlite is a single-process development database; set DATABASE_URL",
    );
    for (const password of ["", "postgres", "fluxgate", "changeme"]) {
      const url = `postgres://fluxgate:${password}@db.internal/fluxgate`;
      const config = parseConfig("", { env: { ...env, DATABASE_URL: url } });
      expect(backendProblems(config, env)).toHaveLength(1);
    }
  });

  test("the edge image refuses a placeholder secret and a plaintext public backend, exit 2", async () => {
    const { cmd, env } = asContainer("edge", {
      EDGE_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
      EDGE_SNAPSHOT_PATH: "off",
      EDGE_CLIENT_ID: "c-1",
      EDGE_CLIENT_SECRET: "fgs_CHANGE-ME",
      EDGE_BACKEND_GRPC: "http://fluxgate.example.com:50051",
    });
    const proc = spawnProc("edge", cmd, env);
    expect(await exitWithin(proc, 45_000)).toBe(2);
    expect(refusals(proc)).toEqual([
      "EDGE_CLIENT_SECRET is a placeholder; set the client's real secret",
      "EDGE_BACKEND_GRPC http://fluxgate.example.com:50051 is plaintext to a public host; use https://",
    ]);
  }, 60_000);

  test("edge: in-cluster and TLS backends pass; development is never checked", () => {
    const base = { EDGE_CLIENT_ID: "c", EDGE_CLIENT_SECRET: "fgs_real" };
    const production = { NODE_ENV: "production" };
    for (const backend of [
      "http://fluxgate-backend:50051",
      "http://fluxgate-backend.fluxgate.svc.cluster.local:50051",
      "http://10.1.2.3:50051",
      "http://127.0.0.1:50051",
      "https://grpc.example.com:8443",
    ]) {
      const config = loadEdgeConfig({ ...base, EDGE_BACKEND_GRPC: backend });
      expect({ backend, problems: edgeProblems(config, production) }).toEqual({ backend, problems: [] });
    }
    const unsafe = loadEdgeConfig({ ...base, EDGE_CLIENT_SECRET: "changeme", EDGE_BACKEND_GRPC: "http://8.8.8.8:1" });
    expect(edgeProblems(unsafe, {})).toEqual([]);
    expect(edgeProblems(unsafe, production)).toHaveLength(2);
  });
});

describe("ui image: static console with runtime config.js", () => {
  const dir = tempDir("fluxgate-ui-");
  let ui: Proc;
  let url: string;

  beforeAll(async () => {
    const dist = join(dir.path, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), '<!doctype html><script src="/config.js"></script><div id="app"></div>');
    writeFileSync(join(dist, "assets/index-abc123.js"), "console.log('console');");
    writeFileSync(join(dir.path, "secret.txt"), "outside the dist folder");
    const port = await freePort();
    const { cmd, env } = asContainer("ui", {
      UI_ADDR: `0.0.0.0:${port}`,
      UI_DIR: dist,
      BACKEND_HOST: "api.example.com",
      BACKEND_PORT: "443",
      BACKEND_PROTOCOL: "https",
      WS_PROTOCOL: "wss",
    });
    url = `http://127.0.0.1:${port}`;
    ui = spawnProc("ui", cmd, env);
    await waitHealthy(ui, `${url}/health`, 20_000);
  }, 30_000);

  afterAll(async () => {
    await ui?.kill();
    dir.remove();
  });

  test("/config.js is generated from BACKEND_* and never cached", async () => {
    const response = await fetch(`${url}/config.js`);
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe(
      'window.__FLUXGATE_CONFIG__ = {"BACKEND_HOST":"api.example.com","BACKEND_PORT":"443","BACKEND_PROTOCOL":"https","WS_PROTOCOL":"wss"};\n',
    );
  });

  test("serves files, falls back to index.html for console routes, 404s missing files, stays in its folder", async () => {
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
    const route = await fetch(`${url}/features/new-checkout`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    const outside = await fetch(`${url}/%2e%2e/secret.txt`);
    expect(await outside.text()).not.toContain("outside the dist folder");
    expect((await fetch(`${url}/`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${url}/x`, { headers: { "x-request-id": "ui-1" } })).headers.get("x-request-id")).toBe("ui-1");
  });

  test("its HEALTHCHECK passes and SIGTERM exits 0", async () => {
    expect(await healthcheck("ui", Number(new URL(url).port))).toBe(0);
    const started = Date.now();
    expect(await ui.signal("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ui.logs().find((l) => l.msg === "ui listening")).toMatchObject({ level: "info" });
  });
});
