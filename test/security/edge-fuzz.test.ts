/**
 * Fuzzing the edge's public endpoints — `POST /evaluate`, OFREP single flag and bulk — as a real process
 * (backend with the demo team + edge, both `bun …/main.ts`): ≥ 10,000 generated requests of wrong shapes and types,
 * huge strings, deep nesting, invalid UTF-8, truncated JSON, wrong content types, big numbers, prototype-pollution
 * keys, random headers and credentials, plus malformed HTTP framing over raw sockets. Expected: never a 5xx (except
 * the documented 503 + Retry-After for request credentials the edge does not know yet), never a crash, JSON error
 * bodies, the edge still answers good requests exactly as before, and its RSS stays bounded.
 *
 * Seeded: the seed is printed; `FUZZ_SEED=<n>` replays a run, `FUZZ_REQUESTS=<n>` changes the count.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
import { createRng, fuzzSeed, type Rng } from "../reliability/support/prng.ts";
import {
  type BackendProcess,
  type EdgeProcess,
  removeTempDirs,
  spawnBackend,
  spawnEdge,
  stopAllProcesses,
  tempDir,
  waitReady,
} from "../reliability/support/procs.ts";

const SEED = fuzzSeed();
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_500);
const CONCURRENCY = 16;

let backend: BackendProcess;
let edge: EdgeProcess;
let demo: { id: string; secret: string };

beforeAll(async () => {
  const dir = tempDir();
  const dataDir = join(dir, "data");
  await prepareDataDir(dataDir);
  const demoFile = join(dir, "demo.env");
  backend = await spawnBackend({ dataDir, demoClientFile: demoFile });
  const env = Object.fromEntries(
    readFileSync(demoFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split("=") as [string, string]),
  );
  demo = { id: env.EDGE_CLIENT_ID, secret: env.EDGE_CLIENT_SECRET };
  edge = await spawnEdge({
    backendGrpc: backend.grpcUrl,
    clientId: demo.id,
    clientSecret: demo.secret,
    logLevel: "error",
    keepLines: 2_000,
    env: { EDGE_EVALUATION_FLUSH_SECS: "2" },
  });
  await waitReady(edge, { connected: true });
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

// --- what a good request answers ----------------------------------------------------------------------------------

const KEYS = ["new-checkout", "beta-banner", "checkout-button-colour", "express-shipping"];
const ENVS = ["development", "staging", "production"];

async function goodAnswers(): Promise<string[]> {
  const out: string[] = [];
  for (const key of KEYS) {
    for (const env of ENVS) {
      for (const user of ["u-1", "u-42", "u-977"]) {
        const response = await fetch(`${edge.url}/evaluate`, {
          method: "POST",
          body: JSON.stringify({
            feature_key: key,
            environment_id: env,
            context: [
              { key: "userId", value: user },
              { key: "country", value: "SE" },
            ],
          }),
        });
        const body = (await response.json()) as Record<string, unknown>;
        delete body.version;
        out.push(`${key}/${env}/${user}: ${response.status} ${JSON.stringify(body)}`);
      }
    }
  }
  const bulk = await fetch(`${edge.url}/ofrep/v1/evaluate/flags`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey: "u-7", environment_id: "production", country: "NZ" } }),
  });
  const flags = ((await bulk.json()) as { flags: unknown[] }).flags;
  out.push(`bulk: ${bulk.status} ${JSON.stringify(flags)}`);
  return out;
}

// --- generators -----------------------------------------------------------------------------------------------------

const NASTY_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "../../etc/passwd",
  "%00",
  "\u0000",
  "\ud800",
  "\udfff",
  "😀",
  "new-checkout\u0000",
  "NEW-CHECKOUT",
  " new-checkout",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe, meant literally
  "${jndi:ldap://x}",
  "{{7*7}}",
  "\u202e",
  "a".repeat(300),
];
const KEYS_AND_NASTY = [...KEYS, ...NASTY_STRINGS];

function randomScalar(rng: Rng): unknown {
  switch (rng.int(0, 11)) {
    case 0:
      return null;
    case 1:
      return rng.bool();
    case 2:
      return rng.int(-1e6, 1e6);
    case 3:
      return rng.pick([0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 4:
      return rng.pick(NASTY_STRINGS);
    case 5:
      return rng.string(rng.int(0, 40));
    case 6:
      return rng.pick(KEYS);
    case 7:
      return rng.pick(ENVS);
    case 8:
      return rng.string(rng.int(1, 8), '\u0000\u0001\u001f"\\/\b\f\n\r\t\u2028\u2029\ud83d\ude00');
    case 9:
      return rng.int(0, 1) ? [] : {};
    default:
      return `u-${rng.int(0, 1000)}`;
  }
}

function randomValue(rng: Rng, depth: number): unknown {
  if (depth <= 0 || rng.bool(0.55)) return randomScalar(rng);
  if (rng.bool()) return Array.from({ length: rng.int(0, 5) }, () => randomValue(rng, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = rng.int(0, 5); i > 0; i--)
    out[rng.pick([...NASTY_STRINGS, "key", "value", "context"])] = randomValue(rng, depth - 1);
  return out;
}

/** JSON text with a `__proto__`/`constructor` key (JSON.stringify would drop an own __proto__ property). */
function pollutionJson(rng: Rng): string {
  const key = rng.pick(["__proto__", "constructor", "prototype"]);
  const payload = `{"polluted":true,"enabled":true,"isAdmin":true,"toString":"x","prototype":{"polluted":1}}`;
  switch (rng.int(0, 3)) {
    case 0:
      return `{"${key}":${payload},"feature_key":"new-checkout","environment_id":"development","context":[]}`;
    case 1:
      return `{"feature_key":"new-checkout","environment_id":"development","context":[{"key":"${key}","value":"x"},{"key":"userId","value":"u"}]}`;
    case 2:
      return `{"context":{"${key}":${payload},"targetingKey":"u-1","environment_id":"development"}}`;
    default:
      return `{"feature_key":"${key}","environment_id":"${key}","context":[{"key":"userId","value":"u"}],"client_id":"${key}"}`;
  }
}

function evaluateBody(rng: Rng): unknown {
  const body: Record<string, unknown> = {
    feature_key: rng.bool(0.7) ? rng.pick(KEYS) : randomValue(rng, 2),
    environment_id: rng.bool(0.7) ? rng.pick(ENVS) : randomValue(rng, 2),
    context: rng.bool(0.5)
      ? Array.from({ length: rng.int(0, 6) }, () =>
          rng.bool(0.7)
            ? { key: rng.pick(["userId", "country", "targetingKey", ...NASTY_STRINGS]), value: randomScalar(rng) }
            : randomValue(rng, 2),
        )
      : randomValue(rng, 3),
  };
  if (rng.bool(0.2)) delete body[rng.pick(Object.keys(body))];
  if (rng.bool(0.1)) body.client_id = randomScalar(rng);
  if (rng.bool(0.1)) body.client_secret = rng.bool() ? `fgs_${rng.string(40)}` : randomScalar(rng);
  if (rng.bool(0.1)) body[rng.pick(NASTY_STRINGS)] = randomValue(rng, 2);
  return body;
}

function ofrepBody(rng: Rng): unknown {
  if (rng.bool(0.15)) return randomValue(rng, 3);
  const context: Record<string, unknown> = {
    targetingKey: rng.bool(0.7) ? `u-${rng.int(0, 99)}` : randomScalar(rng),
    environment_id: rng.bool(0.8) ? rng.pick(ENVS) : randomScalar(rng),
  };
  for (let i = rng.int(0, 4); i > 0; i--)
    context[rng.pick(["country", "userId", ...NASTY_STRINGS])] = randomValue(rng, 2);
  return rng.bool(0.9) ? { context } : { context: randomValue(rng, 2) };
}

function deepJson(rng: Rng): string {
  const depth = rng.pick([100, 1_000, 5_000, 20_000]);
  if (rng.bool())
    return `{"feature_key":"new-checkout","environment_id":"development","context":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  return `{"context":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
}

function bigNumbers(rng: Rng): string {
  const n = rng.pick([
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "0.0000000000000000000000001",
    "-0",
    "1E+999999",
  ]);
  return rng.bool()
    ? `{"feature_key":${n},"environment_id":"development","context":[{"key":"userId","value":${n}}]}`
    : `{"context":{"targetingKey":${n},"environment_id":"development","age":${n}}}`;
}

function invalidUtf8(rng: Rng): Uint8Array<ArrayBuffer> {
  const prefix = new TextEncoder().encode(
    '{"feature_key":"new-checkout","environment_id":"development","context":[{"key":"userId","value":"',
  );
  const bad = rng.pick([
    [0xff],
    [0xc3],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    Array.from(rng.bytes(rng.int(1, 30))),
  ]);
  const suffix = new TextEncoder().encode('"}]}');
  return new Uint8Array([...prefix, ...bad, ...suffix]);
}

function truncated(rng: Rng): string {
  const full = JSON.stringify(rng.bool() ? evaluateBody(rng) : ofrepBody(rng));
  return full.slice(0, rng.int(0, Math.max(0, full.length - 1)));
}

function hugeString(rng: Rng): string {
  const size = rng.pick([60_000, 65_530, 70_000, 300_000, 2_000_000]);
  const filler = "x".repeat(size);
  return rng.bool()
    ? `{"feature_key":"${filler}","environment_id":"development","context":[]}`
    : `{"context":{"targetingKey":"${filler}","environment_id":"development"}}`;
}

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/xml",
  "",
  "*/*",
  "application/json; charset=\u00ff",
];

interface FuzzRequest {
  category: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer>;
  /** Carries credentials other than the edge's own: a 503 + Retry-After (lookup budget) is documented. */
  foreignCredentials: boolean;
}

/** URL-encodes a path segment; lone surrogates become the (invalid) UTF-8 bytes of one. */
function pathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\ud800-\udfff]/g, "%ED%A0%80").replace(/[^%\w.-]/g, (c) => encodeURIComponent(c));
  }
}

function generate(rng: Rng, i: number): FuzzRequest {
  const endpoint = i % 3; // 0 evaluate, 1 OFREP single, 2 OFREP bulk
  const ofrepKey = rng.bool(0.7)
    ? rng.pick(KEYS)
    : rng.bool(0.1)
      ? rng.pick(["%ff", "%c3", "%ED%A0%80", "%00", "..%2f..%2f", "%2e%2e", "%"])
      : pathSegment(rng.pick([...KEYS_AND_NASTY, rng.string(rng.int(1, 5_000))]));
  const path =
    endpoint === 0
      ? rng.pick(["/evaluate", "/evaluate", "/evaluate?explain=1", `/evaluate?explain=${rng.string(3)}`])
      : endpoint === 1
        ? `/ofrep/v1/evaluate/flags/${ofrepKey || "x"}`
        : "/ofrep/v1/evaluate/flags";
  const category = rng.pick([
    "shape",
    "shape",
    "shape",
    "random-json",
    "pollution",
    "deep",
    "big-number",
    "invalid-utf8",
    "truncated",
    "huge",
    "content-type",
  ]);
  let body: string | Uint8Array<ArrayBuffer>;
  switch (category) {
    case "shape":
    case "content-type":
      body = JSON.stringify(endpoint === 0 ? evaluateBody(rng) : ofrepBody(rng));
      break;
    case "random-json":
      body = JSON.stringify(randomValue(rng, 5)) ?? "null";
      break;
    case "pollution":
      body = pollutionJson(rng);
      break;
    case "deep":
      body = deepJson(rng);
      break;
    case "big-number":
      body = bigNumbers(rng);
      break;
    case "invalid-utf8":
      body = invalidUtf8(rng);
      break;
    case "truncated":
      body = truncated(rng);
      break;
    default:
      body = hugeString(rng);
  }
  const headers: Record<string, string> = {
    "content-type": category === "content-type" ? rng.pick(CONTENT_TYPES) : "application/json",
  };
  let foreignCredentials = /client_secret|client_id/.test(typeof body === "string" ? body.slice(0, 5_000) : "");
  if (rng.bool(0.15)) {
    foreignCredentials = true;
    const secret = rng.pick([
      `fgs_${rng.string(43, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`,
      rng.string(rng.int(0, 80)),
      "fgs_",
      "x".repeat(10_000),
      demo.secret.slice(0, -1),
      `${demo.secret} `,
      "\u00ff\u00fe",
    ]);
    if (rng.bool())
      headers.authorization = rng.pick([`Bearer ${secret}`, `Basic ${secret}`, secret, "Bearer", "Bearer  "]);
    else headers["x-api-key"] = secret;
  }
  if (rng.bool(0.1))
    headers.origin = rng.pick(["https://evil.example", "null", "http://localhost:3000", rng.string(20)]);
  if (endpoint === 2 && rng.bool(0.2)) headers["if-none-match"] = rng.pick(['"abc"', "*", rng.string(30), 'W/"x"']);
  if (rng.bool(0.05)) headers[`x-${rng.string(5, "abcdef")}`] = rng.string(rng.int(0, 2_000));
  return { category, path, headers, body, foreignCredentials };
}

// --- the run --------------------------------------------------------------------------------------------------------

interface Failure {
  i: number;
  category: string;
  path: string;
  problem: string;
}

async function send(request: FuzzRequest, i: number, failures: Failure[], statuses: Map<string, number>) {
  let response: Response;
  const started = performance.now();
  try {
    response = await fetch(`${edge.url}${request.path}`, {
      method: "POST",
      headers: request.headers,
      body: request.body,
    });
  } catch (error) {
    failures.push({
      i,
      category: request.category,
      path: request.path,
      problem: `network: ${String(error).slice(0, 120)}`,
    });
    return;
  }
  const text = await response.text();
  const ms = performance.now() - started;
  statuses.set(String(response.status), (statuses.get(String(response.status)) ?? 0) + 1);
  const documented503 = response.status === 503 && request.foreignCredentials && response.headers.has("retry-after");
  if (response.status >= 500 && !documented503) {
    failures.push({
      i,
      category: request.category,
      path: request.path,
      problem: `HTTP ${response.status}: ${text.slice(0, 200)}`,
    });
  }
  if (response.status !== 304) {
    try {
      JSON.parse(text);
    } catch {
      failures.push({
        i,
        category: request.category,
        path: request.path,
        problem: `non-JSON ${response.status} body: ${text.slice(0, 100)}`,
      });
    }
  }
  if (ms > 10_000)
    failures.push({ i, category: request.category, path: request.path, problem: `took ${Math.round(ms)} ms` });
}

/** Malformed HTTP over a raw socket: the edge must neither crash nor hang. */
async function rawSocket(rng: Rng): Promise<void> {
  const port = edge.httpPort;
  const variants = [
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"feature_key":`,
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n`,
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`,
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}`,
    `POST /ofrep/v1/evaluate/flags HTTP/1.1\r\n${"X-Junk: y\r\n".repeat(2_000)}\r\n`,
    `GARBAGE ${rng.string(200)}\r\n\r\n`,
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n`,
    `POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n`,
    `POST /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ];
  const payload = rng.pick(variants);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (socket) => {
          socket.write(payload);
          if (rng.bool()) setTimeout(() => socket.end(), rng.int(0, 50));
        },
        data: (socket) => {
          socket.end();
        },
        close: () => {
          clearTimeout(timer);
          resolve();
        },
        error: () => {
          clearTimeout(timer);
          resolve();
        },
      },
    }).catch(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test(`fuzz /evaluate and OFREP (seed ${SEED})`, async () => {
  console.log(`[edge fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${REQUESTS} requests`);
  const before = await goodAnswers();
  // warm up the allocator and JIT with good traffic before the baseline RSS
  for (let i = 0; i < 3; i++) await goodAnswers();
  const rssBefore = edge.rss() ?? 0;

  const rng = createRng(SEED);
  const requests = Array.from({ length: REQUESTS }, (_, i) => generate(rng, i));
  const failures: Failure[] = [];
  const statuses = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const r of requests) byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + 1);
  const started = performance.now();
  let rssPeak = rssBefore;
  const rssAfterRound: number[] = [];
  // two rounds: memory may rise in the first (caches, allocator pages) but must not keep rising in the second
  for (const [from, to] of [
    [0, Math.floor(requests.length / 2)],
    [Math.floor(requests.length / 2), requests.length],
  ]) {
    let next = from;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < to) {
          const i = next++;
          await send(requests[i], i, failures, statuses);
          if (i % 500 === 0) rssPeak = Math.max(rssPeak, edge.rss() ?? 0);
        }
      }),
    );
    await goodAnswers();
    rssAfterRound.push(edge.rss() ?? 0);
  }
  const rawRng = createRng(SEED ^ 0x5eed);
  for (let i = 0; i < 200; i++) await rawSocket(rawRng);
  const seconds = (performance.now() - started) / 1000;

  expect(edge.alive()).toBe(true);
  await waitReady(edge, { connected: true, timeoutMs: 10_000 });
  const after = await goodAnswers();
  for (let i = 0; i < 3; i++) await goodAnswers();
  const rssAfter = edge.rss() ?? 0;
  const serverErrors = edge.lines.filter((l) => /"level":"error"/.test(l));

  console.log(
    `[edge fuzz] ${requests.length} generated requests (${[...byCategory].map(([k, n]) => `${k} ${n}`).join(", ")}) ` +
      `+ 200 malformed raw-socket requests in ${seconds.toFixed(1)} s; statuses ${[...statuses]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(" ")}; ` +
      `${failures.length} failures; edge RSS ${rssBefore} MiB before, ${rssAfterRound.join(" / ")} MiB after each half, ` +
      `peak ${rssPeak}, ${rssAfter} MiB at the end; ` +
      `${serverErrors.length} error log lines`,
  );
  for (const f of failures.slice(0, 15)) console.log(`  #${f.i} [${f.category}] ${f.path.slice(0, 80)}: ${f.problem}`);
  const byMessage = new Map<string, number>();
  for (const line of serverErrors) {
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 60);
    const error = /"error":"([^"]{0,80})/.exec(line)?.[1] ?? "";
    byMessage.set(`${msg}: ${error}`, (byMessage.get(`${msg}: ${error}`) ?? 0) + 1);
  }
  for (const [message, n] of byMessage) console.log(`  edge error log ×${n}: ${message}`);
  expect(failures).toEqual([]);
  // bad input is the caller's problem: an operator's error log must not fill with it (a cut body, awkward context)
  expect([...byMessage.keys()]).toEqual([]);
  expect(after).toEqual(before);
  // bounded: the fuzz may grow caches (negative cache, streams) but not without limit
  expect(rssAfter).toBeLessThan(Math.max(rssBefore * 1.6, rssBefore + 96));
  expect(rssAfterRound[1]).toBeLessThan(rssAfterRound[0] * 1.25 + 16);
}, 300_000);
