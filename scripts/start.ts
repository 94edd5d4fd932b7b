/**
 * `npm start`: the whole stack on embedded defaults. Starts the backend (GraphQL + console + gRPC,
 * migrating and seeding the demo on first run), waits for the demo client's credentials, then starts
 * one edge with them. Ctrl-C stops both.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const dataRoot = resolve(process.env.FLUXGATE_HOME ?? join(root, ".fluxgate"));
const demoEnvFile = join(dataRoot, "demo-client.env");
const backendHttp = process.env.FLUXGATE_HTTP_ADDR ?? "127.0.0.1:8080";
const edgeHttp = process.env.EDGE_HTTP_ADDR ?? "0.0.0.0:8081";

const children: Bun.Subprocess[] = [];
let stopping = false;

function spawn(name: string, entry: string, env: Record<string, string>): Bun.Subprocess {
  const child = Bun.spawn(["bun", entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdout: "inherit",
    stderr: "inherit",
  });
  children.push(child);
  child.exited.then((code) => {
    if (stopping) return;
    console.error(`${name} exited with code ${code}; stopping FluxGate.`);
    void stop(code === 0 ? 1 : code);
  });
  return child;
}

async function stop(code = 0): Promise<never> {
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  await Promise.race([Promise.all(children.map((c) => c.exited)), Bun.sleep(10_000)]);
  process.exit(code);
}

/** Parses the `KEY=value` lines the backend writes for the demo client. */
function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  return env;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await Bun.sleep(200);
  }
  return false;
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

const displayHost = (addr: string) =>
  addr.replace(/^0\.0\.0\.0:/, "localhost:").replace(/^127\.0\.0\.1:/, "localhost:");

spawn("backend", "backend/src/main.ts", {
  FLUXGATE_DEMO_SEED: "1",
  FLUXGATE_DATA_DIR: process.env.FLUXGATE_DATA_DIR ?? join(dataRoot, "data"),
  FLUXGATE_DEMO_CLIENT_FILE: demoEnvFile,
});

const backendUrl = `http://${displayHost(backendHttp)}`;
if (!(await waitFor(() => healthy(`${backendUrl}/health/live`), 60_000))) {
  console.error(`The backend did not answer on ${backendUrl} within 60 s.`);
  await stop(1);
}
if (!existsSync(demoEnvFile)) {
  console.error(`No demo client credentials in ${demoEnvFile}; the edge needs EDGE_CLIENT_ID/EDGE_CLIENT_SECRET.`);
  await stop(1);
}

const edgeEntry = join(root, "edge/src/main.ts");
const edgeUrl = `http://${displayHost(edgeHttp)}`;
if (existsSync(edgeEntry)) {
  spawn("edge", "edge/src/main.ts", {
    ...readEnvFile(demoEnvFile),
    EDGE_HTTP_ADDR: edgeHttp,
    EDGE_SNAPSHOT_PATH: process.env.EDGE_SNAPSHOT_PATH ?? join(dataRoot, "edge-snapshot.json"),
  });
  await waitFor(() => healthy(`${edgeUrl}/health/live`), 30_000);
}

console.log(`
FluxGate is running.
  Console     ${backendUrl}/
  GraphQL     ${backendUrl}/graphql  (GraphiQL in a browser)
  gRPC        ${process.env.FLUXGATE_GRPC_ADDR ?? "0.0.0.0:50051"}
  Edge        ${edgeUrl}/evaluate   docs: ${edgeUrl}/docs   health: ${edgeUrl}/health
  Demo client ${demoEnvFile}

First run: open the console and create the first admin (or call the createAdmin mutation).
Stop with Ctrl-C.
`);
