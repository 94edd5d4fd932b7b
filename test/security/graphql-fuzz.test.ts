/**
 * Fuzzing `/graphql` on a real backend process: random valid operations built from the schema (any root query or
 * mutation, random selections, variables of the right types — real ids of team A's objects, random ids, garbage —
 * or of the wrong types), malformed documents, deep and wide queries, fragment cycles, huge and deeply nested
 * variables, batches, wrong methods and content types; as anonymous, a Viewer and an administrator.
 * Expected: no 5xx, JSON answers, never an INTERNAL ("Unexpected error.") result — every refusal is a typed error —
 * no crash, bounded memory.
 *
 * Seeded: the seed is printed; request #i is a function of the seed and i alone, so `FUZZ_SEED=<n>` replays a run
 * (how many requests fit in FUZZ_SECONDS varies; the first ones are the same).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from "graphql";
import { buildSchema } from "../../backend/src/graphql/schema.ts";
import { createOrganisation, login, type Organisation } from "../../backend/test/support/fixtures.ts";
import { dataOf, type Gql, gqlClient } from "../../backend/test/support/gql.ts";
import { createRng, fuzzSeed, type Rng } from "../reliability/support/prng.ts";
import {
  type BackendProcess,
  removeTempDirs,
  spawnBackend,
  stopAllProcesses,
  tempDir,
} from "../reliability/support/procs.ts";

const SEED = fuzzSeed();
/** Time-boxed (the backend is the slow side): FUZZ_SECONDS of fuzzing, at most FUZZ_REQUESTS requests. */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 50_000);
const CONCURRENCY = 8;
/** Operations the fuzzer does not call with real ids: they would remove the fixtures or the callers themselves. */
const SPARED = new Set(["deleteTeam", "login", "createAdmin"]);
const HASHES_PASSWORD = new Set(["registerUser", "resetPassword", "setTemporaryPassword"]);

let backend: BackendProcess;
let gql: Gql;
let org: Organisation;
const ids: string[] = [];
const tokens: Record<"viewer" | "admin", string> = { viewer: "", admin: "" };

beforeAll(async () => {
  const dataDir = join(tempDir(), "data");
  await prepareDataDir(dataDir);
  backend = await spawnBackend({ dataDir, logLevel: "error", keepLines: 2_000 });
  gql = gqlClient(`${backend.url}/graphql`);
  org = await createOrganisation(gql);
  tokens.viewer = org.viewer.token;
  tokens.admin = org.admin.token;
  const admin = org.admin.token;
  const env = dataOf(
    await gql(
      `mutation($t: ID!) { createEnvironment(teamId: $t, input: {name: "dev", active: true}) { id } }`,
      { t: org.teamA.id },
      admin,
    ),
  ).createEnvironment.id;
  const context = dataOf(
    await gql(
      `mutation($t: ID!) { createContext(teamId: $t, input: {key: "country", entries: ["SE", "NZ"]}) { id } }`,
      { t: org.teamA.id },
      admin,
    ),
  ).createContext.id;
  const feature = dataOf(
    await gql(
      `mutation($t: ID!, $e: ID!) { createFeature(teamId: $t, input: {key: "fuzz-flag", featureType: SIMPLE,
        stages: [{environmentId: $e, orderIndex: 0}]}) }`,
      { t: org.teamA.id, e: env },
      admin,
    ),
  ).createFeature;
  const stages = dataOf(await gql(`query($id: ID!) { feature(id: $id) { stages { id } } }`, { id: feature }, admin))
    .feature.stages;
  ids.push(org.teamA.id, org.teamB.id, env, context, feature, ...stages.map((s: { id: string }) => s.id));
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

// --- generators -----------------------------------------------------------------------------------------------------

const schema = buildSchema();
const ROOT_FIELDS = [
  ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((f) => ({ kind: "query" as const, field: f })),
  ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) => ({ kind: "mutation" as const, field: f })),
];

const NASTY = [
  "",
  " ",
  "__proto__",
  "constructor",
  "\u0000",
  "\ud800",
  "😀",
  "' OR 1=1 --",
  "<script>",
  "a".repeat(1_000),
  "../x",
];

function randomJson(rng: Rng, depth: number): unknown {
  if (depth <= 0 || rng.bool(0.5)) {
    return rng.pick<unknown>([null, true, 0, -1, 1e308, 2 ** 53, rng.string(8), rng.pick(NASTY), [], {}]);
  }
  if (rng.bool()) return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = rng.int(0, 4); i > 0; i--)
    out[rng.pick(["a", "targetingKey", "__proto__", "constructor", rng.string(4)])] = randomJson(rng, depth - 1);
  return out;
}

function scalarValue(rng: Rng, name: string): unknown {
  switch (name) {
    case "ID":
      return rng.pick([
        ...ids,
        ...ids,
        crypto.randomUUID(),
        "not-a-uuid",
        "",
        "00000000-0000-0000-0000-000000000000",
        rng.string(40),
      ]);
    case "String":
      return rng.bool(0.6) ? rng.string(rng.int(0, 30), "abcdefghijklmnopqrstuvwxyz0123456789-_.") : rng.pick(NASTY);
    case "Int":
      return rng.pick([0, 1, -1, 5, 100, 2 ** 31, -(2 ** 31) - 1, rng.int(-1000, 100_000)]);
    case "Float":
      return rng.pick([0, 0.5, 100, 100.0001, -1, 1e308, rng.next() * 200]);
    case "Boolean":
      return rng.bool();
    case "DateTime":
      return rng.pick([
        new Date().toISOString(),
        new Date(Date.now() - rng.int(0, 40) * 86_400_000).toISOString(),
        "2025-13-45T99:99:99Z",
        "yesterday",
        "",
        "9999-12-31T23:59:59.999Z",
        "0000-01-01T00:00:00Z",
      ]);
    case "JSON":
      return randomJson(rng, 4);
    default:
      return rng.string(5);
  }
}

function inputValue(rng: Rng, type: GraphQLInputType, depth: number, wrong: boolean): unknown {
  if (wrong && rng.bool(0.15)) return randomJson(rng, 2);
  if (isNonNullType(type)) {
    if (wrong && rng.bool(0.05)) return null;
    return inputValue(rng, type.ofType, depth, wrong);
  }
  if (!wrong && rng.bool(0.1)) return null;
  if (isListType(type)) {
    return Array.from({ length: rng.int(0, depth > 0 ? 3 : 0) }, () => inputValue(rng, type.ofType, depth - 1, wrong));
  }
  if (isEnumType(type)) return rng.bool(0.95) ? rng.pick(type.getValues()).name : rng.string(6);
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || rng.bool(0.5)) out[field.name] = inputValue(rng, field.type, depth - 1, wrong);
    }
    if (wrong && rng.bool(0.1)) out[rng.pick(["__proto__", "unknownField", "constructor"])] = randomJson(rng, 2);
    return out;
  }
  if (isScalarType(type)) return scalarValue(rng, type.name);
  return null;
}

function selection(rng: Rng, type: GraphQLOutputType, depth: number): string {
  const named: GraphQLNamedType = getNamedType(type);
  if (isUnionType(named) || isInterfaceType(named)) return "{ __typename }";
  if (!isObjectType(named)) return "";
  if (depth <= 0) return "{ __typename }";
  const fields = Object.values(named.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const chosen = new Set<string>();
  const parts: string[] = [];
  for (let n = rng.int(1, 4); n > 0; n--) {
    const field = rng.pick(fields);
    if (chosen.has(field.name)) continue;
    chosen.add(field.name);
    parts.push(`${field.name} ${selection(rng, field.type, depth - 1)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

function validOperation(rng: Rng, wrong: boolean): { query: string; variables: Record<string, unknown> } {
  let root = rng.pick(ROOT_FIELDS);
  // operations that hash a password (Argon2: ~100 ms of CPU each) are picked a fifth as often, to spend the time budget
  // on breadth
  while (SPARED.has(root.field.name) || (HASHES_PASSWORD.has(root.field.name) && rng.bool(0.8))) {
    root = rng.pick(ROOT_FIELDS);
  }
  const field = root.field as GraphQLField<unknown, unknown>;
  const args = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) || rng.bool(0.5));
  const variables: Record<string, unknown> = {};
  for (const arg of args) variables[arg.name] = inputValue(rng, arg.type, 3, wrong);
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
  const call = args.map((a) => `${a.name}: $${a.name}`).join(", ");
  const query = `${root.kind} Fuzz${defs ? `(${defs})` : ""} { ${field.name}${call ? `(${call})` : ""} ${selection(rng, field.type, rng.int(1, 4))} }`;
  return { query, variables };
}

function malformed(rng: Rng): { body: string; contentType?: string; method?: string } {
  const valid = validOperation(rng, false);
  switch (rng.int(0, 13)) {
    case 0:
      return {
        body: JSON.stringify({
          query: valid.query.slice(0, rng.int(0, valid.query.length - 1)),
          variables: valid.variables,
        }),
      };
    case 1: {
      const soup = Array.from({ length: rng.int(1, 60) }, () =>
        rng.pick([
          "{",
          "}",
          "(",
          ")",
          "query",
          "mutation",
          "$x",
          ":",
          "...",
          "@skip",
          "fragment",
          "on",
          "Query",
          '"s"',
          "1",
          "[",
          "]",
          "!",
          "=",
          "#",
        ]),
      ).join(" ");
      return { body: JSON.stringify({ query: soup }) };
    }
    case 2: {
      let ofType = "name";
      for (let i = rng.int(10, 60); i > 0; i--) ofType = `ofType { ${ofType} }`;
      return { body: JSON.stringify({ query: `{ __type(name: "Feature") { fields { type { ${ofType} } } } }` }) };
    }
    case 3:
      return {
        body: JSON.stringify({ query: `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }` }),
      };
    case 4: {
      const n = rng.pick([50, 150, 400, 1_500]);
      const aliases = Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(" ");
      return { body: JSON.stringify({ query: `{ ${aliases} }` }) };
    }
    case 5:
      return {
        body: JSON.stringify({
          query: valid.query,
          variables: { ...valid.variables, big: "x".repeat(rng.pick([10_000, 500_000])) },
        }),
      };
    case 6: {
      const depth = rng.pick([100, 2_000, 20_000]);
      const context = JSON.parse(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
      return {
        body: JSON.stringify({
          query: `query($f: ID!, $e: ID!, $c: JSON!) { previewEvaluation(featureId: $f, environmentId: $e, context: $c) { enabled } }`,
          variables: { f: ids[4], e: ids[2], c: context },
        }),
      };
    }
    case 7:
      return { body: JSON.stringify([{ query: "{ me { id } }" }, { query: "{ teams { id } }" }]) };
    case 8:
      return {
        body: rng.pick([
          "",
          "null",
          "[]",
          "{}",
          '{"query": 123}',
          '{"query": "{ me { id } }", "variables": "x"}',
          "{",
          '{"query":"{ me { id } }","operationName":"Nope"}',
        ]),
      };
    case 9:
      return {
        body: JSON.stringify(valid),
        contentType: rng.pick([
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=z",
          "application/graphql",
          "",
        ]),
      };
    case 10:
      return { body: JSON.stringify(valid), method: rng.pick(["PUT", "DELETE", "PATCH"]) };
    case 11:
      return {
        body: JSON.stringify({
          query: `{ me { id @${rng.pick(["skip", "include", "deprecated", "nope"])}(if: ${rng.pick(["true", '"x"', "$v", "1"])}) } }`,
        }),
      };
    case 12:
      return {
        body: JSON.stringify({
          query: Array.from({ length: rng.int(2, 30) }, (_, i) => `query Q${i} { me { id } }`).join(" "),
          operationName: rng.bool() ? "Q1" : undefined,
        }),
      };
    default:
      return {
        body: `${JSON.stringify({ query: valid.query, variables: valid.variables }).slice(0, -1)}, "extensions": ${JSON.stringify(randomJson(rng, 3))}}`,
      };
  }
}

// --- the run --------------------------------------------------------------------------------------------------------

interface Finding {
  i: number;
  caller: string;
  problem: string;
  body: string;
}

const DOCUMENTED = new Set([200, 400, 401, 403, 404, 405, 406, 413, 415, 429]);

async function relogin(caller: "viewer" | "admin"): Promise<void> {
  const session = caller === "admin" ? org.admin : org.viewer;
  tokens[caller] = await login(gql, session.username, session.password);
}

test(`fuzz /graphql (seed ${SEED})`, async () => {
  console.log(
    `[graphql fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${SECONDS} s, at most ${REQUESTS} requests`,
  );
  // request i is a function of (seed, i) alone, whatever the concurrency: a finding names both
  const requestRng = (i: number) => createRng((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const findings: Finding[] = [];
  const statuses = new Map<number, number>();
  const kinds = { valid: 0, wrongTypes: 0, malformed: 0 };
  let internal = 0;
  let slowest = { ms: 0, body: "" };
  // warm-up, then the RSS baseline
  for (let i = 0; i < 50; i++) await gql(`{ me { id } teams { id name } }`, {}, tokens.admin);
  const rssBefore = backend.rss() ?? 0;
  let rssPeak = rssBefore;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS && performance.now() < deadline) {
        const i = next++;
        const rng = requestRng(i);
        const caller = rng.pick(["anonymous", "viewer", "admin", "admin"] as const);
        const roll = rng.next();
        let body: string;
        let contentType = "application/json";
        let method = "POST";
        if (roll < 0.45) {
          kinds.valid++;
          body = JSON.stringify(validOperation(rng, false));
        } else if (roll < 0.75) {
          kinds.wrongTypes++;
          body = JSON.stringify(validOperation(rng, true));
        } else {
          kinds.malformed++;
          const m = malformed(rng);
          body = m.body;
          contentType = m.contentType ?? contentType;
          method = m.method ?? method;
        }
        const token = caller === "anonymous" ? undefined : tokens[caller];
        const t0 = performance.now();
        let response: Response;
        try {
          response = await fetch(`${backend.url}/graphql`, {
            method,
            headers: {
              "content-type": contentType,
              accept: "application/graphql-response+json, application/json",
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body,
          });
        } catch (error) {
          findings.push({ i, caller, problem: `network: ${String(error).slice(0, 100)}`, body: body.slice(0, 300) });
          continue;
        }
        const text = await response.text();
        const ms = performance.now() - t0;
        if (ms > slowest.ms) slowest = { ms: Math.round(ms), body: body.slice(0, 200) };
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (!DOCUMENTED.has(response.status)) {
          findings.push({
            i,
            caller,
            problem: `HTTP ${response.status}: ${text.slice(0, 200)}`,
            body: body.slice(0, 300),
          });
        }
        let parsed: { errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          if (response.status !== 405) {
            findings.push({
              i,
              caller,
              problem: `non-JSON ${response.status}: ${text.slice(0, 120)}`,
              body: body.slice(0, 300),
            });
          }
        }
        const codes = parsed?.errors?.map((e) => e.extensions?.code) ?? [];
        if (codes.includes("INTERNAL")) {
          internal++;
          findings.push({
            i,
            caller,
            problem: "INTERNAL (an unexpected error reached the mask)",
            body: body.slice(0, 400),
          });
        }
        // a random mutation ended this caller's session (logout, a key revocation…): log in again
        if (
          caller !== "anonymous" &&
          codes.includes("UNAUTHENTICATED") &&
          /expired|revoked|session|invalid token|signing key/i.test(text)
        ) {
          await relogin(caller).catch(() => {});
        }
        if (i % 200 === 0) rssPeak = Math.max(rssPeak, backend.rss() ?? 0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  expect(backend.alive()).toBe(true);
  for (let i = 0; i < 50; i++) await gql(`{ me { id } teams { id name } }`, {}, tokens.admin);
  const health = await fetch(`${backend.url}/health`);
  const rssAfter = backend.rss() ?? 0;
  const logErrors = backend.lines.filter((l) => /"level":"error"/.test(l));
  console.log(
    `[graphql fuzz] ${next} requests in ${seconds.toFixed(1)} s (${kinds.valid} valid operations, ${kinds.wrongTypes} with wrong-typed ` +
      `variables, ${kinds.malformed} malformed); statuses ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(" ")}; ` +
      `${internal} INTERNAL results; ${findings.length} findings; slowest ${slowest.ms} ms (${slowest.body.slice(0, 100)}…); ` +
      `backend RSS ${rssBefore} MiB before, peak ${rssPeak}, ${rssAfter} after; ${logErrors.length} error log lines`,
  );
  const seen = new Set<string>();
  for (const f of findings) {
    const key = f.problem.slice(0, 60) + f.body.slice(0, 60);
    if (seen.has(key) || seen.size >= 12) continue;
    seen.add(key);
    console.log(`  #${f.i} as ${f.caller}: ${f.problem}\n    ${f.body}`);
  }
  for (const line of logErrors.slice(0, 6)) console.log(`  backend error log: ${line.slice(0, 400)}`);
  expect(health.status).toBe(200);
  expect(findings).toEqual([]);
  expect(rssAfter).toBeLessThan(Math.max(rssBefore * 1.6, rssBefore + 128));
}, 300_000);
