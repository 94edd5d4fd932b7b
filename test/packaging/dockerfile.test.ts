/**
 * The Dockerfile without a Docker engine: its targets exist, each final image runs as non-root with a health check
 * on a port it exposes, its entry files and every COPY source exist in the repository (and are not excluded by
 * .dockerignore), and only the build stages install dev dependencies.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execForm, lastInstruction, ROOT, readDockerfile, stageChain, stageEnv } from "./support.ts";

const stages = readDockerfile();
const TARGETS = { backend: [8080, 50051], edge: [8081], ui: [3000] } as const;
const ENTRIES = { backend: "backend/src/main.ts", edge: "edge/src/main.ts", ui: "deploy/ui/serve.ts" } as const;

const dockerignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

/** Whether .dockerignore keeps `path` out of the build context (its patterns, `!` exceptions last-match-wins). */
function ignored(path: string): boolean {
  let result = false;
  for (const raw of dockerignore) {
    const negate = raw.startsWith("!");
    const pattern = negate ? raw.slice(1) : raw;
    const glob = new Bun.Glob(pattern);
    const parts = path.split("/");
    // a pattern matching a parent folder excludes everything in it
    const hit = parts.some((_, i) => glob.match(parts.slice(0, i + 1).join("/")));
    if (hit) result = !negate;
  }
  return result;
}

describe("Dockerfile", () => {
  test("has the backend, edge and ui targets", () => {
    const names = stages.map((s) => s.name);
    for (const target of Object.keys(TARGETS)) expect(names).toContain(target);
    expect(new Set(names).size).toBe(names.length);
  });

  test("every FROM names an earlier stage or a pinned image", () => {
    for (const [i, stage] of stages.entries()) {
      const earlier = stages.slice(0, i).some((s) => s.name === stage.from);
      if (!earlier) expect(stage.from).toMatch(/^[\w./-]+:[\w.-]+$/); // a tag, never implicit :latest
    }
    // the runtime matches the bun the repository is developed with
    const bunVersion = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.bun;
    for (const stage of stages.filter((s) => s.from.startsWith("oven/bun:"))) {
      expect(stage.from).toStartWith(`oven/bun:${bunVersion}`);
    }
  });

  for (const [target, ports] of Object.entries(TARGETS)) {
    describe(`target ${target}`, () => {
      test("runs its entry file from the repository with bun", () => {
        const cmd = execForm(lastInstruction(stages, target, "CMD")!.args);
        expect(cmd).toEqual(["bun", ENTRIES[target as keyof typeof ENTRIES]]);
        expect(existsSync(join(ROOT, cmd[1]))).toBe(true);
        expect(ignored(cmd[1])).toBe(false);
      });

      test("runs as the non-root user bun", () => {
        expect(lastInstruction(stages, target, "USER")?.args).toBe("bun");
      });

      test("exposes its ports and checks its health on one of them", () => {
        const exposed = lastInstruction(stages, target, "EXPOSE")!.args.split(/\s+/).map(Number);
        expect(exposed).toEqual([...ports]);
        const check = lastInstruction(stages, target, "HEALTHCHECK")!.args;
        const cmd = execForm(check.replace(/^(--\S+\s+)*CMD\s+/, ""));
        expect(cmd.slice(0, 2)).toEqual(["bun", "deploy/docker/healthcheck.ts"]);
        expect(existsSync(join(ROOT, cmd[1]))).toBe(true);
        expect(cmd[2]).toBe(`http://127.0.0.1:${ports[0]}/health`);
      });

      test("listens on all interfaces on the exposed port and runs in production mode", () => {
        const env = stageEnv(stages, target);
        expect(env.NODE_ENV).toBe("production");
        const addr = { backend: env.FLUXGATE_HTTP_ADDR, edge: env.EDGE_HTTP_ADDR, ui: env.UI_ADDR }[target];
        expect(addr).toBe(`0.0.0.0:${ports[0]}`);
        if (target === "backend") expect(env.FLUXGATE_GRPC_ADDR).toBe("0.0.0.0:50051");
      });

      test("installs no dev dependencies in its own stages", () => {
        const runs = stageChain(stages, target).flatMap((s) => s.instructions.filter((i) => i.op === "RUN"));
        for (const run of runs) expect(run.args).not.toMatch(/bun install(?!.*--production)/);
        // node_modules come from the production install only
        const copies = stageChain(stages, target).flatMap((s) => s.instructions.filter((i) => i.op === "COPY"));
        for (const copy of copies.filter((c) => c.args.includes("--from="))) {
          expect(copy.args).toMatch(/--from=(prod-deps|ui-build)\s/);
        }
      });
    });
  }

  test("every COPY source exists and is in the build context", () => {
    for (const stage of stages) {
      for (const { op, args, line } of stage.instructions) {
        if (op !== "COPY" || args.includes("--from=")) continue;
        const parts = args.split(/\s+/).filter((p) => !p.startsWith("--"));
        for (const source of parts.slice(0, -1)) {
          expect({ line, source, exists: existsSync(join(ROOT, source)) }).toEqual({ line, source, exists: true });
          expect({ line, source, ignored: ignored(source) }).toEqual({ line, source, ignored: false });
        }
      }
    }
  });

  test("the production install and the console build see every workspace's package.json", () => {
    const workspaces: string[] = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).workspaces;
    for (const name of ["deps", "prod-deps"]) {
      const copied = stages
        .find((s) => s.name === name)!
        .instructions.filter((i) => i.op === "COPY")
        .map((i) => i.args.split(/\s+/)[0]);
      for (const ws of workspaces) expect(copied).toContain(`${ws}/package.json`);
      expect(copied).toContain("package.json");
    }
  });

  test(".dockerignore keeps local state, secrets, dependencies and build output out", () => {
    for (const path of ["node_modules", "ui/node_modules", ".fluxgate/data", "dist/fluxgate-backend", ".git"]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
    for (const path of [".env", "deploy/demo-client.env", "ui/dist/index.html", "backend/test/http.test.ts"]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
    for (const path of ["backend/src/main.ts", "drizzle/migrations/0000_init.sql", "proto/fluxgate.proto"]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: false });
    }
  });
});
