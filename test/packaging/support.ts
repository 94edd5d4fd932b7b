/**
 * Packaging test support: the repository's Dockerfile, compose file and manifests as data, and real FluxGate
 * processes (backend, edge, their compiled binaries) on free loopback ports with their output captured.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Stages of a Dockerfile (continuations joined, comments dropped); `ARG`s before the first FROM are substituted. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const globalArgs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.trimEnd().endsWith("\\") && i + 1 < lines.length) {
      line = `${line.trimEnd().slice(0, -1)} ${lines[++i].trim()}`;
    }
    const match = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(line)}`);
    const op = match[1].toUpperCase();
    const args = match[2].trim().replace(/\$\{(\w+)\}/g, (all, name) => globalArgs[name] ?? all);
    if (op === "ARG" && stages.length === 0) {
      const [name, value] = args.split("=");
      globalArgs[name] = value ?? "";
    } else if (op === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start}: bad FROM`);
      stages.push({ name: from[2] ?? `stage-${stages.length}`, from: from[1], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${start}: ${op} before FROM`);
      stages.at(-1)!.instructions.push({ op, args, line: start });
    }
  }
  return stages;
}

/** A stage with the stages it is built `FROM`, base first. */
export function stageChain(stages: Stage[], name: string): Stage[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  const base = stages.find((s) => s.name === stage.from);
  return base ? [...stageChain(stages, base.name), stage] : [stage];
}

/** `ENV` of a stage including inherited ones (`KEY=value` pairs, values optionally quoted). */
export function stageEnv(stages: Stage[], name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const stage of stageChain(stages, name)) {
    for (const { op, args } of stage.instructions) {
      if (op !== "ENV") continue;
      for (const pair of args.match(/\w+=("[^"]*"|\S*)/g) ?? []) {
        const at = pair.indexOf("=");
        env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, "$1");
      }
    }
  }
  return env;
}

/** The last value of an instruction in a stage's chain (`CMD`, `USER`, …), exec form parsed as JSON. */
export function lastInstruction(stages: Stage[], name: string, op: string): Instruction | undefined {
  return stageChain(stages, name)
    .flatMap((s) => s.instructions)
    .filter((i) => i.op === op)
    .at(-1);
}

export function execForm(args: string): string[] {
  const parsed = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new Error(`not exec form: ${args}`);
  return parsed;
}

export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
}

// ---------------------------------------------------------------------------------------------------------------
// YAML

/** Every document of a YAML file (Bun's parser returns an array for a multi-document stream). */
export function readYamlDocs(path: string): Record<string, unknown>[] {
  const parsed = Bun.YAML.parse(readFileSync(path, "utf8")) as unknown;
  const docs = Array.isArray(parsed) && readFileSync(path, "utf8").includes("\n---") ? parsed : [parsed];
  return docs.filter((d): d is Record<string, unknown> => d !== null && typeof d === "object");
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

export async function freePort(): Promise<number> {
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

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Proc {
  name: string;
  child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON lines among the output. */
  logs(): Record<string, unknown>[];
  /** Sends a signal and waits for the exit code. */
  signal(signal: NodeJS.Signals): Promise<number>;
  kill(): Promise<void>;
}

/** Spawns `cmd` with exactly `env` (plus PATH and HOME) in `cwd`, capturing its output. */
export function spawnProc(name: string, cmd: string[], env: Record<string, string>, cwd = ROOT): Proc {
  const child = Bun.spawn(cmd, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void collect(child.stdout);
  void collect(child.stderr);
  return {
    name,
    child,
    output: () => text,
    logs: () =>
      text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    signal: async (signal) => {
      child.kill(signal);
      return child.exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** Polls `url` until it answers 2xx; throws with the process output when it exits or the time is up. */
export async function waitHealthy(proc: Proc, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with ${proc.child.exitCode} before ${url} answered:\n${proc.output()}`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms:\n${proc.output()}`);
    await Bun.sleep(150);
  }
}

export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** `KEY=value` lines, as the backend writes the demo client file. */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/** The port of a `host:port` address. */
export const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(":") + 1));

export interface Stack {
  backend: Proc;
  backendUrl: string;
  grpcPort: number;
  dataDir: string;
  demo: { EDGE_CLIENT_ID: string; EDGE_CLIENT_SECRET: string };
  dir: TempDir;
}

export interface BackendStartOptions {
  /** Command to run (default `bun backend/src/main.ts`). */
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A backend process on embedded PGlite in a temp folder with the demo team seeded. */
export async function startBackendProcess(options: BackendStartOptions = {}): Promise<Stack> {
  const dir = tempDir("fluxgate-pkg-");
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const demoFile = join(dir.path, "demo-client.env");
  const env = {
    FLUXGATE_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    FLUXGATE_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
    FLUXGATE_DATA_DIR: join(dir.path, "data"),
    FLUXGATE_DEMO_SEED: "1",
    FLUXGATE_DEMO_CLIENT_FILE: demoFile,
    FLUXGATE_LOG_LEVEL: "debug",
    ...options.env,
  };
  const backend = spawnProc("backend", options.cmd ?? [process.execPath, "backend/src/main.ts"], env, options.cwd);
  const backendUrl = `http://127.0.0.1:${portOf(env.FLUXGATE_HTTP_ADDR)}`;
  try {
    await waitHealthy(backend, `${backendUrl}/health`, options.timeoutMs ?? 90_000);
  } catch (error) {
    await backend.kill();
    dir.remove();
    throw error;
  }
  const demo = readEnvFile(demoFile) as Stack["demo"];
  return {
    backend,
    backendUrl,
    grpcPort: portOf(env.FLUXGATE_GRPC_ADDR),
    dataDir: env.FLUXGATE_DATA_DIR,
    demo,
    dir,
  };
}

export interface EdgeStartOptions {
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** An edge process streaming from `stack`'s backend with the demo client; resolves once `/health` is ready. */
export async function startEdgeProcess(
  stack: Stack,
  options: EdgeStartOptions = {},
): Promise<{ edge: Proc; url: string }> {
  const port = await freePort();
  const env = {
    EDGE_BACKEND_GRPC: `http://127.0.0.1:${stack.grpcPort}`,
    EDGE_HTTP_ADDR: `127.0.0.1:${port}`,
    EDGE_SNAPSHOT_PATH: join(stack.dir.path, `edge-snapshot-${port}.json`),
    EDGE_LOG_LEVEL: "debug",
    ...stack.demo,
    ...options.env,
  };
  const edge = spawnProc("edge", options.cmd ?? [process.execPath, "edge/src/main.ts"], env, options.cwd);
  const url = `http://127.0.0.1:${portOf(env.EDGE_HTTP_ADDR)}`;
  try {
    await waitHealthy(edge, `${url}/health`, 30_000);
  } catch (error) {
    await edge.kill();
    throw error;
  }
  return { edge, url };
}

export const EVALUATE_BODY = {
  feature_key: "new-checkout",
  environment_id: "development",
  context: [{ key: "userId", value: "u-42" }],
};

export async function evaluate(edgeUrl: string, secret: string, body: Record<string, unknown> = EVALUATE_BODY) {
  const response = await fetch(`${edgeUrl}/evaluate`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function graphql(
  backendUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${backendUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL results are read field by field in the tests
  return { response, body: (await response.json()) as { data?: Record<string, any>; errors?: unknown[] } };
}
