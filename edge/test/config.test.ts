import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config.ts";
import { productionProblems } from "../src/main.ts";
import { startTestEdge } from "./support/harness.ts";

const base = { EDGE_CLIENT_ID: "c", EDGE_CLIENT_SECRET: "s" };

describe("configuration", () => {
  test("defaults follow the architecture page", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      backendGrpc: "http://127.0.0.1:50051",
      httpHost: "0.0.0.0",
      httpPort: 8081,
      assignmentFlushSecs: 10,
      evaluationFlushSecs: 30,
      snapshotPath: "./.fluxgate/edge-snapshot.json",
      defaultEnvironment: null,
      credentialWaitMs: 2000,
      logLevel: "info",
      httpIdleSecs: 120,
    });
  });

  test("a backend address without a scheme is taken as http", () => {
    expect(loadConfig({ ...base, EDGE_BACKEND_GRPC: "backend:50051" }).backendGrpc).toBe("http://backend:50051");
  });

  const backends: [string, string][] = [
    ["https://flags.example.com", "https://flags.example.com:443"],
    ["https://flags.example.com/", "https://flags.example.com:443"],
    ["https://flags.example.com:8443", "https://flags.example.com:8443"],
    ["https://flags.example.com:443", "https://flags.example.com:443"],
    ["http://backend", "http://backend:80"],
    ["http://backend:80", "http://backend:80"],
    ["HTTPS://Flags.Example.com", "https://flags.example.com:443"],
    ["http://[::1]:50051", "http://[::1]:50051"],
    ["https://[2001:db8::1]", "https://[2001:db8::1]:443"],
    ["10.0.0.7:50051", "http://10.0.0.7:50051"],
  ];
  for (const [given, expected] of backends) {
    test(`EDGE_BACKEND_GRPC=${given} is accepted as ${expected}`, () => {
      expect(loadConfig({ ...base, EDGE_BACKEND_GRPC: given }).backendGrpc).toBe(expected);
    });
  }

  test("in production https://host without a port passes; http://host (port 80) to a public host is refused", () => {
    const production = { NODE_ENV: "production" };
    const tls = loadConfig({ ...base, EDGE_BACKEND_GRPC: "https://flags.example.com" });
    expect(productionProblems(tls, production)).toEqual([]);
    const plain = loadConfig({ ...base, EDGE_BACKEND_GRPC: "http://flags.example.com" });
    expect(productionProblems(plain, production)).toEqual([
      "EDGE_BACKEND_GRPC http://flags.example.com:80 is plaintext to a public host; use https://",
    ]);
  });

  test("EDGE_SNAPSHOT_PATH=off keeps nothing on disk", () => {
    expect(loadConfig({ ...base, EDGE_SNAPSHOT_PATH: "off" }).snapshotPath).toBeNull();
  });

  const bad: [string, Record<string, string>][] = [
    ["EDGE_CLIENT_ID", { EDGE_CLIENT_SECRET: "s" }],
    ["EDGE_CLIENT_SECRET", { EDGE_CLIENT_ID: "c" }],
    ["EDGE_HTTP_ADDR", { ...base, EDGE_HTTP_ADDR: "8081" }],
    ["EDGE_HTTP_ADDR", { ...base, EDGE_HTTP_ADDR: "0.0.0.0:99999" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "ftp://x:1" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "grpc://x:1" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "no-port-nor-scheme" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "https://h.example/some/path" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "https://user:pw@h.example" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "https://h.example:99999" }],
    ["EDGE_BACKEND_GRPC", { ...base, EDGE_BACKEND_GRPC: "https://" }],
    ["EDGE_ASSIGNMENT_FLUSH_SECS", { ...base, EDGE_ASSIGNMENT_FLUSH_SECS: "0" }],
    ["EDGE_EVALUATION_FLUSH_SECS", { ...base, EDGE_EVALUATION_FLUSH_SECS: "soon" }],
    ["EDGE_EVENT_BUFFER_SIZE", { ...base, EDGE_EVENT_BUFFER_SIZE: "1.5" }],
    ["EDGE_EVENT_BUFFER_SIZE", { ...base, EDGE_EVENT_BUFFER_SIZE: "60000" }],
    ["EDGE_CREDENTIAL_WAIT_MS", { ...base, EDGE_CREDENTIAL_WAIT_MS: "-1" }],
    ["EDGE_LOG_LEVEL", { ...base, EDGE_LOG_LEVEL: "loud" }],
    ["EDGE_MAX_BODY_BYTES", { ...base, EDGE_MAX_BODY_BYTES: "10" }],
    ["EDGE_HTTP_IDLE_SECS", { ...base, EDGE_HTTP_IDLE_SECS: "300" }],
  ];
  for (const [variable, env] of bad) {
    test(`a bad ${variable} (${JSON.stringify(env[variable] ?? "unset")}) is named with its fix`, () => {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message).toStartWith(`${variable}: `);
    });
  }

  test("the edge process stops at start with one line naming the variable, exit code 2", async () => {
    const child = Bun.spawn(["bun", join(import.meta.dir, "../src/main.ts")], {
      env: { PATH: process.env.PATH ?? "", EDGE_CLIENT_ID: "c" },
      stderr: "pipe",
      stdout: "pipe",
    });
    const code = await child.exited;
    const stderr = (await new Response(child.stderr).text()).trim();
    expect(code).toBe(2);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toContain("EDGE_CLIENT_SECRET");
  });

  test("the edge process starts with EDGE_BACKEND_GRPC=https://host and no port (dials port 443)", async () => {
    const child = Bun.spawn(["bun", join(import.meta.dir, "../src/main.ts")], {
      env: {
        PATH: process.env.PATH ?? "",
        EDGE_CLIENT_ID: "c",
        EDGE_CLIENT_SECRET: "s",
        EDGE_BACKEND_GRPC: "https://127.0.0.1",
        EDGE_HTTP_ADDR: "127.0.0.1:0",
        EDGE_SNAPSHOT_PATH: "off",
      },
      stderr: "pipe",
      stdout: "pipe",
    });
    try {
      const reader = child.stderr.getReader();
      let text = "";
      const deadline = Date.now() + 15_000;
      while (!text.includes('"edge listening"') && Date.now() < deadline) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const line = text.split("\n").find((l) => l.includes('"edge listening"'));
      expect(line).toBeDefined();
      expect(JSON.parse(line!).backend).toBe("https://127.0.0.1:443");
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  });
});

describe("keep-alive", () => {
  /** Seconds until the edge closes an idle keep-alive connection (null: still open after `waitSecs`). */
  async function idleCloseSecs(env: Record<string, string>, waitSecs: number): Promise<number | null> {
    const edge = await startTestEdge(undefined, env);
    try {
      const closed = Promise.withResolvers<number>();
      const opened = performance.now();
      const socket = await Bun.connect({
        hostname: "127.0.0.1",
        port: edge.port,
        socket: { data() {}, close: () => closed.resolve((performance.now() - opened) / 1000) },
      });
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      const after = await Promise.race([closed.promise, Bun.sleep(waitSecs * 1000).then(() => null)]);
      socket.end();
      return after;
    } finally {
      await edge.close();
    }
  }

  test("EDGE_HTTP_IDLE_SECS closes idle connections; the default keeps them past Bun's own 10 s", async () => {
    const [short, byDefault] = await Promise.all([
      idleCloseSecs({ EDGE_HTTP_IDLE_SECS: "1" }, 8),
      idleCloseSecs({}, 13), // Bun closes at 10 s (checked on a ~4 s tick) unless told otherwise
    ]);
    expect(short).not.toBeNull();
    expect(byDefault).toBeNull();
  }, 30_000);
});
