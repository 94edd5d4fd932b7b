/**
 * No secrets in logs: a backend and an edge as processes at `debug` level go through everything that handles a
 * secret — first admin, logins (right and wrong passwords), registering users, password resets, temporary
 * passwords, client creation and rotation, edge requests with the secret in the header and in the body, a
 * request with a secret the backend refuses, errors — and afterwards no line of either process holds a password,
 * a session token, a client secret or the secret's SHA-256.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { prepareDataDir } from "@fluxgate/drizzle/testing";
import { createFirstAdmin, login } from "../../backend/test/support/fixtures.ts";
import { dataOf, type Gql, gqlClient } from "../../backend/test/support/gql.ts";
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

let backend: BackendProcess;
let edge: EdgeProcess | undefined;
let gql: Gql;

beforeAll(async () => {
  const dataDir = join(tempDir(), "data");
  await prepareDataDir(dataDir);
  backend = await spawnBackend({ dataDir, logLevel: "debug", keepLines: 50_000 });
  gql = gqlClient(`${backend.url}/graphql`);
}, 240_000);

afterAll(async () => {
  await stopAllProcesses();
  removeTempDirs();
});

test("passwords, session tokens and client secrets never reach a log line", async () => {
  const secrets: Record<string, string> = {};
  const admin = await createFirstAdmin(gql);
  secrets["admin password"] = admin.password;
  secrets["admin token"] = admin.token;
  // a wrong password, twice (the failure path logs)
  await gql(`mutation { login(input: {username: "${admin.username}", password: "wrong-password-xyz"}) { token } }`);
  await gql(`mutation { login(input: {username: "nobody-here", password: "wrong-password-abc"}) { token } }`);
  secrets["wrong password"] = "wrong-password-xyz";

  const team = dataOf(await gql(`mutation { createTeam(input: {name: "logs-team"}) { id } }`, {}, admin.token))
    .createTeam.id;
  const env = dataOf(
    await gql(
      `mutation($t: ID!) { createEnvironment(teamId: $t, input: {name: "prod", active: true}) { id } }`,
      { t: team },
      admin.token,
    ),
  ).createEnvironment.id;
  await gql(
    `mutation($t: ID!, $e: ID!) { createFeature(teamId: $t, input: {key: "logs-flag", featureType: SIMPLE, stages: [{environmentId: $e, orderIndex: 0}]}) }`,
    { t: team, e: env },
    admin.token,
  );
  const user = dataOf(
    await gql(
      `mutation($i: RegisterUserInput!) { registerUser(input: $i) { id username } }`,
      {
        i: {
          username: "logs-user",
          password: "user-password-123",
          firstName: "L",
          lastName: "U",
          email: "logs@example.com",
          teamId: team,
          isTemporaryPassword: true,
        },
      },
      admin.token,
    ),
  ).registerUser;
  secrets["registered password"] = "user-password-123";
  const userToken = await login(gql, "logs-user", "user-password-123");
  secrets["user token"] = userToken;
  await gql(
    `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`,
    { i: { currentPassword: "user-password-123", newPassword: "user-password-456" } },
    userToken,
  );
  secrets["new password"] = "user-password-456";
  await gql(
    `mutation($i: SetTemporaryPasswordInput!) { setTemporaryPassword(input: $i) }`,
    { i: { userId: user.id, temporaryPassword: "temporary-password-789" } },
    admin.token,
  );
  secrets["temporary password"] = "temporary-password-789";

  const created = dataOf(
    await gql(
      `mutation($t: ID!) { createClient(teamId: $t, input: {name: "logs-client", clientType: BACKEND}) { secret client { id } } }`,
      { t: team },
      admin.token,
    ),
  ).createClient;
  const rotated = dataOf(
    await gql(`mutation($id: ID!) { rotateClientSecret(id: $id) { secret } }`, { id: created.client.id }, admin.token),
  ).rotateClientSecret.secret as string;
  secrets["client secret (rotated away)"] = created.secret;
  secrets["client secret"] = rotated;
  secrets["client secret sha256"] = createHash("sha256").update(rotated).digest("hex");

  edge = await spawnEdge({
    backendGrpc: backend.grpcUrl,
    clientId: created.client.id,
    clientSecret: rotated,
    logLevel: "debug",
    keepLines: 50_000,
    env: { EDGE_EVALUATION_FLUSH_SECS: "1" },
  });
  await waitReady(edge, { connected: true });
  const ask = (headers: Record<string, string>, extra: object = {}) =>
    fetch(`${edge!.url}/evaluate`, {
      method: "POST",
      headers,
      body: JSON.stringify({ feature_key: "logs-flag", environment_id: "prod", context: [], ...extra }),
    });
  await ask({ authorization: `Bearer ${rotated}` });
  await ask({ "x-api-key": rotated });
  await ask({}, { client_id: created.client.id, client_secret: rotated });
  await ask({ authorization: `Bearer ${created.secret}` }); // the old one: refused by the backend
  secrets["unknown secret"] = "fgs_ThisSecretDoesNotExistAnywhere0123456789ab";
  await ask({ authorization: `Bearer ${secrets["unknown secret"]}` });
  await Bun.sleep(2_500); // an analytics flush, the negative cache, debug lines
  await gql(`mutation { logout }`, {}, admin.token);

  const lines = [...backend.lines.map((l) => `backend: ${l}`), ...edge.lines.map((l) => `edge: ${l}`)];
  const leaks: string[] = [];
  for (const [what, secret] of Object.entries(secrets)) {
    const hit = lines.find((line) => line.includes(secret));
    if (hit) leaks.push(`${what} in ${hit.slice(0, 200)}`);
  }
  console.log(
    `[secrets in logs] ${backend.lines.length} backend and ${edge.lines.length} edge lines at debug level checked for ` +
      `${Object.keys(secrets).length} secrets: ${leaks.length} leaks`,
  );
  expect(backend.lines.length).toBeGreaterThan(10); // debug logging really was on
  expect(leaks).toEqual([]);
}, 120_000);
