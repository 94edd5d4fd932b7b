import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activityLog, clients, clientWebOrigins, configChanges } from "@fluxgate/drizzle";
import { and, eq } from "drizzle-orm";
import { ClientAuthenticator, hashSecret } from "../src/delivery/auth";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";

const FIELDS = "id teamId name description enabled clientType environmentId webOrigins secretPrefix secretRotatedAt";
const CREATE = `mutation($teamId: ID!, $input: CreateClientInput!) {
  createClient(teamId: $teamId, input: $input) { secret client { ${FIELDS} } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateClientInput!) { updateClient(id: $id, input: $input) { ${FIELDS} } }`;
const ROTATE = `mutation($id: ID!) { rotateClientSecret(id: $id) { secret client { ${FIELDS} } } }`;
const DELETE = `mutation($id: ID!) { deleteClient(id: $id) }`;
const GET = `query($id: ID!) { client(id: $id) { ${FIELDS} } }`;
const LIST = `query($teamId: ID!, $name: String, $enabled: Boolean, $clientType: ClientType, $pageNumber: Int, $pageSize: Int) {
  clients(teamId: $teamId, name: $name, enabled: $enabled, clientType: $clientType, pageNumber: $pageNumber, pageSize: $pageSize) {
    items { name enabled clientType } pageNumber pageSize total } }`;
const COUNT = `query($teamId: ID, $enabled: Boolean) { clientsCount(teamId: $teamId, enabled: $enabled) }`;

let t: TestBackend;
let org: Organisation;
let envA: string;
let envB: string;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
  const createEnv = async (teamId: string, token: string) =>
    dataOf(
      await t.gql(
        `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id } }`,
        { teamId, input: { name: unique("env"), active: true } },
        token,
      ),
    ).createEnvironment.id as string;
  envA = await createEnv(org.teamA.id, org.teamAdmin.token);
  envB = await createEnv(org.teamB.id, org.outsider.token);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

interface Created {
  secret: string;
  client: { id: string; name: string; secretPrefix: string; webOrigins: string[]; enabled: boolean };
}

async function createClient(input: Record<string, unknown> = {}): Promise<Created> {
  const result = await t.gql(
    CREATE,
    { teamId: org.teamA.id, input: { name: unique("client"), clientType: "BACKEND", ...input } },
    org.teamAdmin.token,
  );
  return dataOf(result).createClient;
}

const storedRow = async (id: string) => (await t.database.db.select().from(clients).where(eq(clients.id, id)))[0];
const changesOf = async (id: string) =>
  (
    await t.database.db
      .select()
      .from(configChanges)
      .where(eq(configChanges.entityId, id))
      .orderBy(configChanges.version)
  ).map((c) => [c.entity, c.kind]);
const activitiesOf = async (id: string) =>
  t.database.db.select().from(activityLog).where(eq(activityLog.entityId, id)).orderBy(activityLog.createdAt);

describe("clients", () => {
  test("createClient returns the secret once: fgs_ + 40 base62, stored only as the SHA-256 delivery checks", async () => {
    const result = await t.gql(
      CREATE,
      {
        teamId: org.teamA.id,
        input: { name: unique("svc"), description: "orders", clientType: "BACKEND", environmentId: envA },
      },
      org.teamAdmin.token,
    );
    expect(result.errors).toBeUndefined();
    const { secret, client } = result.data.createClient;
    expect(secret).toMatch(/^fgs_[0-9A-Za-z]{40,}$/);
    expect(client).toMatchObject({
      teamId: org.teamA.id,
      description: "orders",
      enabled: true,
      clientType: "BACKEND",
      environmentId: envA,
      webOrigins: [],
      secretPrefix: secret.slice(0, 8),
      secretRotatedAt: null,
    });
    const row = await storedRow(client.id);
    expect(row.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const authenticated = await new ClientAuthenticator(t.database.db).authenticate(client.id, secret);
    expect(authenticated.id).toBe(client.id);
  });

  test("no read returns the secret or its hash: the type has no such field and the audit log never holds them", async () => {
    const { secret, client } = await createClient();
    const fields = dataOf(await t.gql(`{ __type(name: "Client") { fields { name } } }`, {}, org.viewer.token));
    const names = fields.__type.fields.map((f: { name: string }) => f.name);
    expect(names.filter((n: string) => /secret|hash|key/i.test(n)).sort()).toEqual(["secretPrefix", "secretRotatedAt"]);
    expect(
      codeOf(await t.gql(`query($id: ID!) { client(id: $id) { secret } }`, { id: client.id }, org.teamAdmin.token)),
    ).toBe("BAD_USER_INPUT");
    const read = JSON.stringify(await t.gql(GET, { id: client.id }, org.teamAdmin.token));
    const { secretHash } = await storedRow(client.id);
    expect(read).not.toContain(secret);
    expect(read).not.toContain(secretHash);
    await t.gql(ROTATE, { id: client.id }, org.teamAdmin.token);
    const audit = JSON.stringify(await activitiesOf(client.id));
    expect(audit).not.toContain(secret);
    expect(audit).not.toContain(secretHash);
    expect(audit).not.toContain((await storedRow(client.id)).secretHash);
  });

  test("rotateClientSecret issues a new secret once; the old one stops working", async () => {
    const { secret: old, client } = await createClient();
    const before = await storedRow(client.id);
    const rotated = dataOf(await t.gql(ROTATE, { id: client.id }, org.teamAdmin.token)).rotateClientSecret;
    expect(rotated.secret).toMatch(/^fgs_[0-9A-Za-z]{40,}$/);
    expect(rotated.secret).not.toBe(old);
    expect(rotated.client.secretPrefix).toBe(rotated.secret.slice(0, 8));
    expect(rotated.client.secretRotatedAt).toEqual(expect.any(String));
    const after = await storedRow(client.id);
    expect(after.secretHash).not.toBe(before.secretHash);
    expect(after.secretHash).toBe(hashSecret(rotated.secret));
    expect(hashSecret(old)).not.toBe(after.secretHash);
    const auth = new ClientAuthenticator(t.database.db);
    await expect(auth.authenticate(client.id, old)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await auth.authenticate(client.id, rotated.secret)).id).toBe(client.id);
    const [entry] = (await activitiesOf(client.id)).filter((a) => a.activityType === "client_secret_rotated");
    expect(entry.metadata).toMatchObject({ previousPrefix: old.slice(0, 8), prefix: rotated.secret.slice(0, 8) });
  });

  test("a WEB client needs origins; they are stored as browsers send them and replaced on update", async () => {
    const { client } = await createClient({
      clientType: "WEB",
      webOrigins: ["HTTPS://App.Example.com:443/", "http://localhost:5173"],
    });
    expect(client.webOrigins).toEqual(["http://localhost:5173", "https://app.example.com"]);
    const updated = await t.gql(
      UPDATE,
      { id: client.id, input: { webOrigins: ["https://new.example.com:8443"] } },
      org.teamAdmin.token,
    );
    expect(updated.data.updateClient.webOrigins).toEqual(["https://new.example.com:8443"]);
    const renamed = await t.gql(UPDATE, { id: client.id, input: { name: unique("renamed") } }, org.teamAdmin.token);
    expect(renamed.data.updateClient.webOrigins).toEqual(["https://new.example.com:8443"]);
  });

  test("switching to BACKEND drops the origins; switching to WEB without any is BAD_USER_INPUT", async () => {
    const { client } = await createClient({ clientType: "WEB", webOrigins: ["https://a.example.com"] });
    const backend = dataOf(
      await t.gql(UPDATE, { id: client.id, input: { clientType: "BACKEND" } }, org.teamAdmin.token),
    );
    expect(backend.updateClient).toMatchObject({ clientType: "BACKEND", webOrigins: [] });
    const web = await t.gql(UPDATE, { id: client.id, input: { clientType: "WEB" } }, org.teamAdmin.token);
    expect(web.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.webOrigins" });
    expect(dataOf(await t.gql(GET, { id: client.id }, org.viewer.token)).client.clientType).toBe("BACKEND");
  });

  test("the environment binding can be changed and cleared; another team's environment is BAD_USER_INPUT", async () => {
    const { client } = await createClient({ environmentId: envA });
    const unbound = await t.gql(UPDATE, { id: client.id, input: { environmentId: null } }, org.teamAdmin.token);
    expect(unbound.data.updateClient.environmentId).toBeNull();
    const foreign = await t.gql(UPDATE, { id: client.id, input: { environmentId: envB } }, org.teamAdmin.token);
    expect(foreign.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.environmentId" });
    const created = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { name: unique("c"), clientType: "BACKEND", environmentId: envB } },
      org.teamAdmin.token,
    );
    expect(created.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.environmentId" });
  });

  test("disabling and enabling are logged as client_disabled / client_enabled, and every change reaches the change log", async () => {
    const { client } = await createClient();
    await t.gql(UPDATE, { id: client.id, input: { enabled: false } }, org.teamAdmin.token);
    await t.gql(UPDATE, { id: client.id, input: { enabled: true, description: "back" } }, org.teamAdmin.token);
    await t.gql(ROTATE, { id: client.id }, org.teamAdmin.token);
    expect(dataOf(await t.gql(DELETE, { id: client.id }, org.teamAdmin.token)).deleteClient).toBe(true);
    expect((await activitiesOf(client.id)).map((a) => a.activityType)).toEqual([
      "client_created",
      "client_disabled",
      "client_enabled",
      "client_updated",
      "client_secret_rotated",
      "client_deleted",
    ]);
    expect(await changesOf(client.id)).toEqual([
      ["client", "UPSERT"],
      ["client", "UPSERT"],
      ["client", "UPSERT"],
      ["client", "UPSERT"],
      ["client", "DELETE"],
    ]);
    expect(codeOf(await t.gql(GET, { id: client.id }, org.teamAdmin.token))).toBe("NOT_FOUND");
    expect(await t.database.db.select().from(clientWebOrigins).where(eq(clientWebOrigins.clientId, client.id))).toEqual(
      [],
    );
  });

  test("the list filters by name prefix, enabled and type, and pages only with both arguments; clientsCount counts", async () => {
    const team = dataOf(
      await t.gql(`mutation { createTeam(input: { name: "${unique("clients")}" }) { id } }`, {}, org.admin.token),
    ).createTeam.id as string;
    const add = (name: string, input: Record<string, unknown>) =>
      t.gql(CREATE, { teamId: team, input: { name, clientType: "BACKEND", ...input } }, org.admin.token).then(dataOf);
    await add("web-shop", { clientType: "WEB", webOrigins: ["https://shop.example.com"] });
    await add("web-admin", { clientType: "WEB", webOrigins: ["https://admin.example.com"], enabled: false });
    await add("orders", {});
    const list = async (vars: Record<string, unknown>) =>
      dataOf(await t.gql(LIST, { teamId: team, ...vars }, org.admin.token)).clients;
    expect((await list({})).items.map((c: { name: string }) => c.name)).toEqual(["orders", "web-admin", "web-shop"]);
    expect((await list({ name: "web" })).total).toBe(2);
    expect((await list({ name: "shop" })).total).toBe(0);
    expect((await list({ enabled: false })).items).toEqual([{ name: "web-admin", enabled: false, clientType: "WEB" }]);
    expect((await list({ clientType: "BACKEND" })).items.map((c: { name: string }) => c.name)).toEqual(["orders"]);
    expect(await list({ pageNumber: 2, pageSize: 2 })).toMatchObject({ pageNumber: 2, pageSize: 2, total: 3 });
    const count = async (vars: Record<string, unknown>, token = org.admin.token) =>
      dataOf(await t.gql(COUNT, vars, token)).clientsCount;
    expect(await count({ teamId: team })).toBe(3);
    expect(await count({ teamId: team, enabled: true })).toBe(2);
    const everywhere = (await t.database.db.select().from(clients)).length;
    expect(await count({})).toBe(everywhere);
    const teamA = (await t.database.db.select().from(clients).where(eq(clients.teamId, org.teamA.id))).length;
    expect(await count({}, org.viewer.token)).toBe(teamA);
    expect(codeOf(await t.gql(COUNT, { teamId: team }, org.viewer.token))).toBe("NOT_FOUND");
  });

  test("every operation needs a session: UNAUTHENTICATED", async () => {
    const { client } = await createClient();
    for (const [query, vars] of operations(client.id)) {
      expect(codeOf(await t.gql(query, vars))).toBe("UNAUTHENTICATED");
    }
  });

  test("a member of another team gets NOT_FOUND for every operation", async () => {
    const { client } = await createClient();
    for (const [query, vars] of operations(client.id)) {
      expect(codeOf(await t.gql(query, vars, org.outsider.token))).toBe("NOT_FOUND");
    }
  });

  test("Viewers, Requesters and Approvers read but may not manage clients: FORBIDDEN", async () => {
    const { client } = await createClient();
    const before = await storedRow(client.id);
    for (const member of [org.viewer, org.requester, org.approver]) {
      expect(dataOf(await t.gql(GET, { id: client.id }, member.token)).client.id).toBe(client.id);
      for (const [query, vars] of operations(client.id).slice(3)) {
        expect(codeOf(await t.gql(query, vars, member.token))).toBe("FORBIDDEN");
      }
    }
    expect(await storedRow(client.id)).toEqual(before);
  });

  test("a duplicate name in the team is CONFLICT", async () => {
    const { client } = await createClient();
    const again = await t.gql(
      CREATE,
      { teamId: org.teamA.id, input: { name: client.name, clientType: "BACKEND" } },
      org.teamAdmin.token,
    );
    expect(codeOf(again)).toBe("CONFLICT");
    expect(again.errors?.[0].message).toContain("already exists");
  });

  test("invalid input is BAD_USER_INPUT naming the field, and nothing is stored", async () => {
    const { client } = await createClient();
    const count = async () => (await t.database.db.select().from(clients)).length;
    const before = await count();
    const web = (webOrigins: string[]) => ({ name: unique("w"), clientType: "WEB", webOrigins });
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "ab", clientType: "BACKEND" }, "input.name"],
      [{ name: unique("d"), clientType: "BACKEND", description: "x".repeat(501) }, "input.description"],
      [{ name: unique("w"), clientType: "WEB" }, "input.webOrigins"],
      [{ name: unique("b"), clientType: "BACKEND", webOrigins: ["https://a.example.com"] }, "input.webOrigins"],
      [web(["https://a.example.com/app"]), "input.webOrigins[0]"],
      [web(["https://a.example.com", "https://*.example.com"]), "input.webOrigins[1]"],
      [web(["*"]), "input.webOrigins[0]"],
      [web(["ftp://files.example.com"]), "input.webOrigins[0]"],
      [web(["a.example.com"]), "input.webOrigins[0]"],
      [web(["https://a.example.com?x=1"]), "input.webOrigins[0]"],
      [web(["https://user@a.example.com"]), "input.webOrigins[0]"],
      [web(["https://a.example.com", "https://A.example.com:443"]), "input.webOrigins[1]"],
      [{ name: unique("e"), clientType: "BACKEND", environmentId: "prod" }, "input.environmentId"],
    ];
    for (const [input, field] of cases) {
      const result = await t.gql(CREATE, { teamId: org.teamA.id, input }, org.teamAdmin.token);
      expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const update = await t.gql(UPDATE, { id: client.id, input: { name: "no" } }, org.teamAdmin.token);
    expect(update.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
    expect(await count()).toBe(before);
    expect((await storedRow(client.id)).name).toBe(client.name);
    const created = await activitiesOf(client.id);
    expect(created.map((a) => a.activityType)).toEqual(["client_created"]);
    expect(
      await t.database.db
        .select()
        .from(configChanges)
        .where(and(eq(configChanges.entityId, client.id), eq(configChanges.kind, "UPSERT"))),
    ).toHaveLength(1);
  });
});

/** Every operation on the client `id`: the three reads first, then the writes. */
function operations(id: string): [string, Record<string, unknown>][] {
  return [
    [GET, { id }],
    [LIST, { teamId: org.teamA.id }],
    [COUNT, { teamId: org.teamA.id }],
    [CREATE, { teamId: org.teamA.id, input: { name: unique("denied"), clientType: "BACKEND" } }],
    [UPDATE, { id, input: { enabled: false } }],
    [ROTATE, { id }],
    [DELETE, { id }],
  ];
}
