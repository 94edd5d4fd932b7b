import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseLockedError, openDatabase } from "../src/index.ts";
import { prepareDataDir } from "../src/testing.ts";

// a PGlite start takes about a second and several on a loaded machine; bunfig's [test] timeout is not applied
setDefaultTimeout(30_000);

const CHILD = join(import.meta.dir, "fixtures", "data-dir-child.ts");
let root: string;
let dataDir: string;
const lockPath = () => `${dataDir}.lock`;

/** Runs the child fixture to completion. */
async function runChild(mode: "try" | "exit") {
  const started = performance.now();
  const child = Bun.spawn([process.execPath, CHILD, mode, dataDir], { stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr, ms: performance.now() - started };
}

/** Starts a child that holds the folder until killed. */
async function holdingChild(): Promise<Bun.Subprocess<"ignore", "pipe", "inherit">> {
  const child = Bun.spawn([process.execPath, CHILD, "hold", dataDir], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("ready");
  reader.releaseLock();
  return child;
}

/** Pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = Bun.spawn(["true"]);
  await child.exited;
  return child.pid;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "fluxgate-lock-"));
  dataDir = join(root, "data");
  await prepareDataDir(dataDir);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("PGlite data folder lock", () => {
  test("a second process fails fast with a message naming the folder, the holder's pid and the fix", async () => {
    const handle = await openDatabase({ dataDir });
    try {
      const { code, stderr, ms } = await runChild("try");
      expect(code).toBe(1);
      expect(stderr).toContain("DatabaseLockedError");
      expect(stderr).toContain(dataDir);
      expect(stderr).toContain(`process ${process.pid}`);
      expect(stderr).toContain("FLUXGATE_DATA_DIR");
      expect(stderr).toContain(lockPath());
      expect(ms).toBeLessThan(5000);
    } finally {
      await handle.close();
    }
  });

  test("the lock file holds the owner's pid and is removed on close", async () => {
    const handle = await openDatabase({ dataDir });
    expect(readFileSync(lockPath(), "utf8").trim()).toBe(String(process.pid));
    await handle.close();
    expect(existsSync(lockPath())).toBe(false);
  });

  test("a folder held by another live process is refused, and taken over once that process is killed", async () => {
    const child = await holdingChild();
    try {
      const refused = await openDatabase({ dataDir }).catch((err) => err);
      expect(refused).toBeInstanceOf(DatabaseLockedError);
      expect(refused.pid).toBe(child.pid);
      expect(refused.message).toContain(`process ${child.pid}`);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
    expect(readFileSync(lockPath(), "utf8").trim()).toBe(String(child.pid));
    const handle = await openDatabase({ dataDir });
    expect(readFileSync(lockPath(), "utf8").trim()).toBe(String(process.pid));
    await handle.close();
  });

  test.each([
    ["a dead pid", async () => String(await deadPid())],
    ["our own pid from an earlier run (pid reuse in containers)", async () => String(process.pid)],
    ["no pid at all", async () => "garbage"],
  ])("a stale lock holding %s is taken over", async (_, content) => {
    writeFileSync(lockPath(), `${await content()}\n`);
    const handle = await openDatabase({ dataDir });
    expect(readFileSync(lockPath(), "utf8").trim()).toBe(String(process.pid));
    await handle.close();
  });

  test("opening the same folder twice in one process is refused", async () => {
    const handle = await openDatabase({ dataDir });
    try {
      const err = await openDatabase({ dataDir }).catch((e) => e);
      expect(err).toBeInstanceOf(DatabaseLockedError);
      expect(err.message).toContain("this process already has it open");
    } finally {
      await handle.close();
    }
  });

  test("a process that exits without closing leaves no lock behind", async () => {
    const { code } = await runChild("exit");
    expect(code).toBe(0);
    expect(existsSync(lockPath())).toBe(false);
  });

  test("a second process opens the folder once the first has closed it", async () => {
    const handle = await openDatabase({ dataDir });
    await handle.close();
    const { code, stdout } = await runChild("try");
    expect(code).toBe(0);
    expect(stdout).toContain("opened");
  });
});
