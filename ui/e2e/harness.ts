/**
 * End-to-end harness: builds the console, starts a real backend (embedded PGlite in a temporary folder) and an
 * edge as child processes on free ports, and drives headless Chromium through playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";

export const ROOT = resolve(import.meta.dir, "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "ui/artifacts");

/** Why the e2e suite cannot run here, or null when it can. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (CI installs it; locally: apt-get install chromium)`;
  if (!existsSync(join(ROOT, "backend/src/main.ts"))) return "backend/src/main.ts does not exist yet";
  return null;
}

/** Whether the committed schema has a root field (steps wait for the backend's mutations to land). */
export function schemaHas(...fields: string[]): boolean {
  const path = join(ROOT, "backend/schema.graphql");
  if (!existsSync(path)) return false;
  const schema = readFileSync(path, "utf8");
  return fields.every(
    (f) => new RegExp(`^\\s+${f}\\(`, "m").test(schema) || new RegExp(`^\\s+${f}:`, "m").test(schema),
  );
}

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

export interface Child {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `bun <entry>` with `env`, collecting its output, and waits until `ready` answers 200. */
export async function spawnService(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: string,
  timeoutMs: number,
): Promise<Child> {
  let output = "";
  const child = Bun.spawn([process.execPath, entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += new TextDecoder().decode(chunk);
  };
  void collect(child.stdout);
  void collect(child.stderr);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(ready).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${name} was not ready at ${ready} within ${timeoutMs} ms:\n${output}`);
    }
    await Bun.sleep(250);
  }
  return {
    url: new URL(ready).origin,
    log: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([child.exited, Bun.sleep(10_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** The backend as a child process on embedded PGlite in `dataDir`, ready once `/health` answers. */
export function spawnBackend(dataDir: string, ports: { http: number; grpc: number }): Promise<Child> {
  return spawnService(
    "backend",
    "backend/src/main.ts",
    {
      FLUXGATE_HTTP_ADDR: `127.0.0.1:${ports.http}`,
      FLUXGATE_GRPC_ADDR: `127.0.0.1:${ports.grpc}`,
      FLUXGATE_DATA_DIR: dataDir,
      FLUXGATE_LOG_LEVEL: "warn",
    },
    `http://127.0.0.1:${ports.http}/health`,
    180_000,
  );
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Builds the console into ui/dist, where the backend serves it from. */
export async function buildConsole(): Promise<void> {
  const build = Bun.spawn([process.execPath, "x", "vite", "build", "ui", "--logLevel", "error"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0) {
    throw new Error(`vite build failed:\n${await new Response(build.stderr).text()}`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** Full-page screenshots of the current page at 1280 and 390 px: `ui/artifacts/<name>-1280.png`, `-390.png`. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const size of [WIDTHS.desktop, WIDTHS.phone]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${size.width}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

/** A GraphQL call with the token the console holds (for checks the UI does not display). */
export async function gql<T>(
  page: Page,
  backendUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const token = await page.evaluate(() => localStorage.getItem("fluxgate.token"));
  return gqlAs<T>(backendUrl, query, variables, token ?? undefined);
}

/** A GraphQL call with `token` (none: anonymous); GraphQL errors throw. */
export async function gqlAs<T>(
  backendUrl: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const response = await fetch(`${backendUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data as T;
}
