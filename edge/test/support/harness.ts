/** Starts a real edge on a loopback port for a test, from a snapshot file in a temp folder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Snapshot } from "@fluxgate/engine";
import { type ClientInfo, hashSecret } from "../../src/auth/clients.ts";
import { loadConfig } from "../../src/config.ts";
import { type RunningEdge, type StartOptions, startEdge } from "../../src/main.ts";
import { type EdgeSnapshotFile, SNAPSHOT_FORMAT } from "../../src/store/index.ts";

/** Where no backend listens: connections are refused at once. */
export const NO_BACKEND = "http://127.0.0.1:9";

export const OWN_ID = "00000000-0000-4000-8000-000000000001";
export const OWN_SECRET = "fgs_own0000000000000000000000000000000000000";

export interface TestClient extends ClientInfo {
  secret: string;
}

export interface TestEdge extends RunningEdge {
  dir: string;
  snapshotPath: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** An edge-format snapshot file content with these clients and team snapshots. */
export function snapshotFile(clients: TestClient[], teams: Snapshot[], savedAtMs = Date.now()): EdgeSnapshotFile {
  return {
    format: SNAPSHOT_FORMAT,
    savedAtMs,
    clients: clients.map(({ secret, ...info }) => ({ ...info, secretSha256: hashSecret(secret) })),
    teams,
  };
}

export async function startTestEdge(
  file: EdgeSnapshotFile | Snapshot | undefined,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestEdge> {
  const dir = mkdtempSync(join(tmpdir(), "fluxgate-edge-"));
  const snapshotPath = join(dir, "edge-snapshot.json");
  if (file) await Bun.write(snapshotPath, JSON.stringify(file));
  const config = loadConfig({
    EDGE_HTTP_ADDR: "127.0.0.1:0",
    EDGE_BACKEND_GRPC: NO_BACKEND,
    EDGE_CLIENT_ID: OWN_ID,
    EDGE_CLIENT_SECRET: OWN_SECRET,
    EDGE_SNAPSHOT_PATH: snapshotPath,
    EDGE_LOG_LEVEL: "silent",
    EDGE_CREDENTIAL_WAIT_MS: "300",
    ...env,
  });
  const running = await startEdge(config, options);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(running.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const close = async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { ...running, dir, snapshotPath, post, close };
}

/** A backend-type client of a team. */
export function backendClient(id: string, teamId: string, secret: string, extra: Partial<ClientInfo> = {}): TestClient {
  return {
    id,
    teamId,
    name: id,
    enabled: true,
    clientType: "Backend",
    webOrigins: [],
    environmentId: null,
    secret,
    ...extra,
  };
}
