/**
 * Smoke test of the compiled binaries: runs `fluxgate-backend` from an empty temporary folder (not the repository,
 * so nothing can come from the source tree) on free ports with embedded PGlite and the demo seed, then
 * `fluxgate-edge` with the demo client's credentials (read from FLUXGATE_DEMO_CLIENT_FILE), evaluates a flag
 * through `/evaluate`, and stops both with SIGTERM (each must exit 0).
 *
 *   bun scripts/smoke-binaries.ts [--no-build] [--outdir dist]
 *
 * test/packaging/binaries.test.ts runs the same thing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY_NAMES, buildBinary, ROOT } from "./build-binaries.ts";

export interface SmokeResult {
  /** The `/evaluate` answer for the demo flag. */
  evaluation: { status: number; body: Record<string, unknown> };
  backendHealth: Record<string, unknown>;
  edgeHealth: Record<string, unknown>;
  backendExit: number;
  edgeExit: number;
  /** ms from start to healthy */
  backendStartMs: number;
  edgeStartMs: number;
  /** Both processes' output, for diagnosis. */
  output: { backend: string; edge: string };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function run(path: string, cwd: string, env: Record<string, string>) {
  const child = Bun.spawn([path], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
    })();
  }
  return { child, output: () => output };
}

async function waitFor(url: string, proc: ReturnType<typeof run>, name: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode}:\n${proc.output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${name}: ${url} not healthy in ${timeoutMs} ms:\n${proc.output()}`);
    await Bun.sleep(150);
  }
}

async function stop(proc: ReturnType<typeof run>): Promise<number> {
  if (proc.child.exitCode !== null) return proc.child.exitCode;
  proc.child.kill("SIGTERM");
  const code = await Promise.race([proc.child.exited, Bun.sleep(12_000).then(() => -1)]);
  if (code === -1) proc.child.kill("SIGKILL");
  return code;
}

/** Runs the two binaries in `outdir` (default `<repo>/dist`). */
export async function smokeBinaries(outdir = join(ROOT, "dist")): Promise<SmokeResult> {
  const work = mkdtempSync(join(tmpdir(), "fluxgate-smoke-"));
  const [httpPort, grpcPort, edgePort] = [await freePort(), await freePort(), await freePort()];
  const demoFile = join(work, "demo-client.env");
  const backend = run(join(outdir, BINARY_NAMES.backend), work, {
    FLUXGATE_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    FLUXGATE_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
    FLUXGATE_DATA_DIR: join(work, "data"),
    FLUXGATE_DEMO_SEED: "1",
    FLUXGATE_DEMO_CLIENT_FILE: demoFile,
  });
  let edge: ReturnType<typeof run> | undefined;
  try {
    const backendUrl = `http://127.0.0.1:${httpPort}`;
    const backendStartMs = await waitFor(`${backendUrl}/health`, backend, "backend", 90_000);
    const credentials = Object.fromEntries(
      readFileSync(demoFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    edge = run(join(outdir, BINARY_NAMES.edge), work, {
      EDGE_BACKEND_GRPC: `http://127.0.0.1:${grpcPort}`,
      EDGE_HTTP_ADDR: `127.0.0.1:${edgePort}`,
      EDGE_SNAPSHOT_PATH: join(work, "edge-snapshot.json"),
      EDGE_CLIENT_ID: credentials.EDGE_CLIENT_ID,
      EDGE_CLIENT_SECRET: credentials.EDGE_CLIENT_SECRET,
    });
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const edgeStartMs = await waitFor(`${edgeUrl}/health`, edge, "edge", 30_000);
    const response = await fetch(`${edgeUrl}/evaluate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${credentials.EDGE_CLIENT_SECRET}` },
      body: JSON.stringify({
        feature_key: "new-checkout",
        environment_id: "development",
        context: [{ key: "userId", value: "u-42" }],
      }),
    });
    const evaluation = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    const backendHealth = (await (await fetch(`${backendUrl}/health`)).json()) as Record<string, unknown>;
    const edgeHealth = (await (await fetch(`${edgeUrl}/health`)).json()) as Record<string, unknown>;
    const edgeExit = await stop(edge);
    const backendExit = await stop(backend);
    return {
      evaluation,
      backendHealth,
      edgeHealth,
      backendExit,
      edgeExit,
      backendStartMs,
      edgeStartMs,
      output: { backend: backend.output(), edge: edge.output() },
    };
  } finally {
    if (edge) await stop(edge);
    await stop(backend);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { "no-build": { type: "boolean" }, outdir: { type: "string" } },
  });
  const outdir = values.outdir ?? join(ROOT, "dist");
  if (!values["no-build"]) {
    for (const name of ["backend", "edge"] as const) {
      const built = await buildBinary(name, { outdir, quiet: true });
      console.log(`built ${built.path} (${(built.bytes / 1e6).toFixed(1)} MB, ${built.ms} ms)`);
    }
  }
  try {
    const result = await smokeBinaries(outdir);
    const ok =
      result.evaluation.status === 200 &&
      result.evaluation.body.enabled === true &&
      result.backendExit === 0 &&
      result.edgeExit === 0;
    console.log(
      `backend healthy in ${result.backendStartMs} ms, edge in ${result.edgeStartMs} ms; ` +
        `/evaluate → ${result.evaluation.status} ${JSON.stringify(result.evaluation.body)}; ` +
        `exit codes backend ${result.backendExit}, edge ${result.edgeExit}`,
    );
    if (!ok) {
      console.error(`${result.output.backend}\n${result.output.edge}`);
      process.exit(1);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
