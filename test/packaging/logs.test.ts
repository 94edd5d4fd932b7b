/**
 * Logs: JSON lines with levels, request ids (X-Request-Id accepted or generated, echoed back, on the backend's log
 * lines), level settings honoured, and no secrets: after a first admin, logins (good and bad), an authenticated
 * query and evaluations carrying client secrets, neither process's output contains a password, a token or a secret.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger as createBackendLogger, requestScope } from "../../backend/src/log.ts";
import { createLogger as createEdgeLogger } from "../../edge/src/log.ts";
import {
  EVALUATE_BODY,
  evaluate,
  graphql,
  type Proc,
  type Stack,
  startBackendProcess,
  startEdgeProcess,
} from "./support.ts";

const PASSWORD = "correct-horse-battery-staple-42";
const WRONG_PASSWORD = "wrong-password-do-not-log-7";
const BOGUS_SECRET = `fgs_${"x".repeat(40)}`;

describe("process logs", () => {
  let stack: Stack;
  let edge: { edge: Proc; url: string };
  let token = "";

  beforeAll(async () => {
    // production mode (as in the images): nothing but JSON lines on either stream
    stack = await startBackendProcess({
      env: { NODE_ENV: "production", FLUXGATE_ALLOW_INSECURE: "1", FLUXGATE_LOG_LEVEL: "debug" },
    });
    edge = await startEdgeProcess(stack, { env: { NODE_ENV: "production", EDGE_LOG_LEVEL: "debug" } });

    const created = await graphql(
      stack.backendUrl,
      `mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id } }`,
      {
        input: { username: "root", password: PASSWORD, firstName: "Ro", lastName: "Ot", email: "root@example.com" },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const login = `mutation($input: LoginInput!) { login(input: $input) { token } }`;
    const ok = await graphql(stack.backendUrl, login, { input: { username: "root", password: PASSWORD } });
    token = ok.body.data?.login.token;
    expect(token.length).toBeGreaterThan(20);
    const bad = await graphql(stack.backendUrl, login, { input: { username: "root", password: WRONG_PASSWORD } });
    expect(bad.body.errors).toBeDefined();
    const me = await graphql(stack.backendUrl, "{ me { username } }", {}, token, { "x-request-id": "logs-req-1" });
    expect(me.body.data?.me.username).toBe("root");
    expect(me.response.headers.get("x-request-id")).toBe("logs-req-1");
    // GET with the token in the query string: the path is logged, never the query
    await fetch(`${stack.backendUrl}/graphql?query=${encodeURIComponent("{ me { id } }")}&token=${token}`);

    const secret = stack.demo.EDGE_CLIENT_SECRET;
    expect((await evaluate(edge.url, secret)).status).toBe(200);
    const inBody = await fetch(`${edge.url}/evaluate`, {
      method: "POST",
      body: JSON.stringify({ ...EVALUATE_BODY, client_id: stack.demo.EDGE_CLIENT_ID, client_secret: secret }),
    });
    expect(inBody.status).toBe(200);
    expect((await evaluate(edge.url, BOGUS_SECRET)).status).toBe(401);
    await Bun.sleep(300); // late log lines
  }, 120_000);

  afterAll(async () => {
    await edge?.edge.kill();
    await stack?.backend.kill();
    stack?.dir.remove();
  });

  test("no password, token or client secret appears in either process's output", () => {
    const output = stack.backend.output() + edge.edge.output();
    for (const [what, value] of Object.entries({
      password: PASSWORD,
      "wrong password": WRONG_PASSWORD,
      token,
      "token signature": token.split(".")[2],
      "client secret": stack.demo.EDGE_CLIENT_SECRET,
      "rejected secret": BOGUS_SECRET,
    })) {
      expect({ what, leaked: output.includes(value) }).toEqual({ what, leaked: false });
    }
  });

  test("every line either process writes is a JSON object with time, level and msg", () => {
    for (const proc of [stack.backend, edge.edge]) {
      const lines = proc.output().split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const entry = JSON.parse(line);
        expect(typeof entry.time).toBe("string");
        expect(["debug", "info", "warn", "error"]).toContain(entry.level);
        expect(typeof entry.msg).toBe("string");
      }
    }
  });

  test("requests are logged with their id, method, path and status; ids are accepted or generated", async () => {
    const logs = stack.backend.logs();
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: "request",
        request_id: "logs-req-1",
        method: "POST",
        path: "/graphql",
        status: 200,
      }),
    );
    const get = logs.find((l) => l.msg === "request" && l.method === "GET" && l.path === "/graphql");
    expect(get).toBeDefined();
    expect(JSON.stringify(get)).not.toContain("token");
    const generated = await fetch(`${stack.backendUrl}/health/live`);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const insane = await fetch(`${stack.backendUrl}/health/live`, { headers: { "x-request-id": 'a b"c' } });
    expect(insane.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("loggers", () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, write: (line: string) => void lines.push(line) };
  };

  test("backend: levels filter, fields named like secrets are redacted, the request id is added", () => {
    const { lines, write } = capture();
    const log = createBackendLogger("warn", write);
    log.info("hidden");
    log.warn("shown", { password: "p", clientSecret: "s", authorization: "Bearer t", nested: { token: "t" }, n: 1 });
    requestScope.run({ requestId: "r-1" }, () => log.error("in a request", { error: new Error("boom") }));
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: expect.any(String),
        level: "warn",
        msg: "shown",
        password: "[redacted]",
        clientSecret: "[redacted]",
        authorization: "[redacted]",
        nested: { token: "[redacted]" },
        n: 1,
      },
      { time: expect.any(String), level: "error", msg: "in a request", request_id: "r-1", error: "boom" },
    ]);
    const silent = capture();
    createBackendLogger("silent", silent.write).error("nothing");
    expect(silent.lines).toEqual([]);
  });

  test("edge: levels filter and fields named like secrets are redacted", () => {
    const { lines, write } = capture();
    const log = createEdgeLogger("info", write);
    log.debug("hidden");
    log.info("shown", { client_secret: "s", apiKey: "k", clientId: "c-1" });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: expect.any(String),
        level: "info",
        msg: "shown",
        client_secret: "[redacted]",
        apiKey: "[redacted]",
        clientId: "c-1",
      },
    ]);
  });
});
