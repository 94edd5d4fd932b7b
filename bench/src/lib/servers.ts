/**
 * The servers the HTTP scenarios load, each a process pinned to the server core: the bare `Bun.serve` baseline,
 * the FluxGate edge serving a snapshot file (no backend), and the Unleash Proxy with a fake Unleash API upstream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Snapshot } from "@fluxgate/engine";
import { unleashFeatures } from "./bench-flag.ts";
import { type Child, SERVER_CORE, spawnServer } from "./processes.ts";

const EDGE_MAIN = new URL("../../../edge/src/main.ts", import.meta.url).pathname;
const BARE = new URL("./bare-server.ts", import.meta.url).pathname;
const PROXY_START = new URL("../../../node_modules/@unleash/proxy/dist/start.js", import.meta.url).pathname;

export interface Server extends Child {
  url: string;
  stop(): Promise<void>;
}

export async function startBare(): Promise<Server> {
  const child = await spawnServer(["bun", BARE], /listening (\d+)/, { core: SERVER_CORE });
  return { ...child, url: `http://127.0.0.1:${child.ready}` };
}

/** The edge process on a snapshot file: it serves the file's flags to its own client, backend unreachable. */
export async function startEdge(snapshot: Snapshot): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-bench-edge-"));
  const path = join(dir, "snapshot.json");
  await Bun.write(path, JSON.stringify(snapshot));
  try {
    const child = await spawnServer(["bun", EDGE_MAIN], /"msg":"edge listening","url":"([^"]+)"/, {
      core: SERVER_CORE,
      env: {
        EDGE_HTTP_ADDR: "127.0.0.1:0",
        EDGE_BACKEND_GRPC: "http://127.0.0.1:9", // nothing listens there: the edge serves from the file
        EDGE_CLIENT_ID: "00000000-0000-4000-8000-00000000be00",
        EDGE_CLIENT_SECRET: "fgs_bench000000000000000000000000000000000000",
        EDGE_SNAPSHOT_PATH: path,
        EDGE_LOG_LEVEL: "info",
      },
    });
    return {
      ...child,
      url: child.ready,
      stop: async () => {
        await child.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export const PROXY_CLIENT_KEY = "bench-proxy-key";

/**
 * The Unleash Proxy (`@unleash/proxy`, Express on the unleash-client SDK) on the Node it is built for (Bun when
 * there is no `node`). It needs an Unleash API upstream even with bootstrap data (`unleashUrl` and a token are
 * required, and it answers 503 until its first fetch), so a fake one in this process serves
 * `/api/client/features` with the benchmark flag and accepts registration and metrics.
 */
export async function startUnleashProxy(): Promise<Server & { runtime: string }> {
  const upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname.endsWith("/client/features")
        ? Response.json(unleashFeatures())
        : new Response(null, { status: 202 }),
  });
  const node = Bun.which("node");
  const runtime = node ? `node ${(await Bun.$`node --version`.text()).trim()}` : `bun ${Bun.version}`;
  try {
    const port = await freePort();
    const child = await spawnServer([node ?? "bun", PROXY_START], /Unleash-proxy is listening on port (\d+)/, {
      core: SERVER_CORE,
      env: {
        UNLEASH_URL: `http://127.0.0.1:${upstream.port}/api/`,
        UNLEASH_API_TOKEN: "bench-upstream-token",
        UNLEASH_PROXY_CLIENT_KEYS: PROXY_CLIENT_KEY,
        UNLEASH_FETCH_INTERVAL: "60000",
        UNLEASH_METRICS_INTERVAL: "60000",
        PORT: String(port),
        LOG_LEVEL: "error",
        NODE_ENV: "production",
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url);
    return {
      ...child,
      url,
      runtime,
      stop: async () => {
        await child.stop();
        upstream.stop(true);
      },
    };
  } catch (error) {
    upstream.stop(true);
    throw error;
  }
}

/** The proxy listens before its first fetch from the upstream; until then it answers 503. */
async function waitReady(url: string): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const response = await fetch(`${url}/proxy/health`).catch(() => undefined);
    if (response?.status === 200) return;
    await Bun.sleep(50);
  }
  throw new Error("the Unleash Proxy did not become ready (no features from the fake upstream)");
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}
