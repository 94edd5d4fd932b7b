import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { recordChange } from "../src/changes/service";
import { createOrganisation, type Organisation } from "./support/fixtures";
import { codeOf } from "./support/gql";
import { SETUP_TIMEOUT_MS, startTestBackend, type TestBackend } from "./support/server";
import { sseSubscribe, wsClient, wsTake } from "./support/subscriptions";

const ACTIVITIES = `subscription($teamId: ID) { recentActivities(teamId: $teamId, pageSize: 5) { total items { activityType teamId } } }`;
const CHANGES = `subscription($teamId: ID!) { featureChanged(teamId: $teamId) { version teamId kind entity entityId key } }`;

let t: TestBackend;
let org: Organisation;
beforeAll(async () => {
  t = await startTestBackend();
  org = await createOrganisation(t.gql);
}, SETUP_TIMEOUT_MS);
afterAll(() => t.stop());

/** Opens a raw graphql-transport-ws socket and resolves with how it was closed. */
function rawSocketClose(connectionParams: Record<string, unknown>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(t.wsUrl, "graphql-transport-ws");
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: connectionParams }));
    socket.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
}

const renameTeamA = (name: string) =>
  t.gql(
    `mutation($id: ID!, $name: String!) { updateTeam(id: $id, input: { name: $name }) { id } }`,
    { id: org.teamA.id, name },
    org.teamAdmin.token,
  );

describe("subscriptions over WebSocket", () => {
  test("a connection without a token is closed with 4401", async () => {
    const closed = await rawSocketClose({});
    expect(closed.code).toBe(4401);
  });

  test("a connection with an invalid token is closed with 4401", async () => {
    expect((await rawSocketClose({ authorization: "Bearer nope" })).code).toBe(4401);
  });

  test("a socket without the graphql-transport-ws subprotocol is refused", async () => {
    const response = await fetch(t.wsUrl.replace(/^ws/, "http"), {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(response.status).toBe(400);
  });

  test("recentActivities emits the current page, then again when the team changes", async () => {
    const client = wsClient(t.wsUrl, org.viewer.token);
    const results = wsTake(client, ACTIVITIES, { teamId: org.teamA.id }, 2);
    await Bun.sleep(300);
    await renameTeamA(`renamed-${Date.now()}`);
    const [first, second] = await results;
    await client.dispose();
    expect(first.errors).toBeUndefined();
    expect(second.data.recentActivities.items[0]).toEqual({ activityType: "team_updated", teamId: org.teamA.id });
    expect(second.data.recentActivities.total).toBe(first.data.recentActivities.total + 1);
  });

  test("a member of team B gets NOT_FOUND subscribing to team A", async () => {
    const client = wsClient(t.wsUrl, org.outsider.token);
    const [result] = await wsTake(client, ACTIVITIES, { teamId: org.teamA.id }, 1);
    await client.dispose();
    expect(codeOf(result)).toBe("NOT_FOUND");
  });

  test("queries and mutations also run over the socket, masked the same way", async () => {
    const client = wsClient(t.wsUrl, org.viewer.token);
    const [ok] = await wsTake(client, `{ me { username } }`, {}, 1);
    const [refused] = await wsTake(client, `mutation($id: ID!) { deleteTeam(id: $id) }`, { id: org.teamA.id }, 1);
    await client.dispose();
    expect(ok.data.me.username).toBe(org.viewer.username);
    expect(codeOf(refused)).toBe("FORBIDDEN");
  });

  test("featureChanged delivers the team's committed changes, not other teams'", async () => {
    const client = wsClient(t.wsUrl, org.viewer.token);
    const results = wsTake(client, CHANGES, { teamId: org.teamA.id }, 1, 20_000);
    await Bun.sleep(300);
    const db = t.database.db;
    await db.transaction((tx) =>
      recordChange(tx, { teamId: org.teamB.id, entity: "feature", entityId: crypto.randomUUID(), key: "other-team" }),
    );
    const entityId = crypto.randomUUID();
    const version = await db.transaction((tx) =>
      recordChange(tx, { teamId: org.teamA.id, kind: "DELETE", entity: "feature", entityId, key: "checkout" }),
    );
    const [change] = await results;
    await client.dispose();
    expect(change.data.featureChanged).toEqual({
      version,
      teamId: org.teamA.id,
      kind: "DELETE",
      entity: "feature",
      entityId,
      key: "checkout",
    });
  });

  test("a change rolled back is never delivered", async () => {
    const client = wsClient(t.wsUrl, org.viewer.token);
    const results = wsTake(client, CHANGES, { teamId: org.teamA.id }, 1, 1500);
    await Bun.sleep(300);
    await t.database.db
      .transaction(async (tx) => {
        await recordChange(tx, {
          teamId: org.teamA.id,
          entity: "feature",
          entityId: crypto.randomUUID(),
          key: "ghost",
        });
        throw new Error("roll back");
      })
      .catch(() => {});
    expect(await results).toEqual([]);
    await client.dispose();
  });
});

describe("subscriptions over SSE", () => {
  test("an anonymous subscription is refused", async () => {
    const stream = await sseSubscribe(`${t.url}/graphql`, ACTIVITIES, { teamId: org.teamA.id });
    const result = await stream.next();
    stream.close();
    expect(codeOf(result!)).toBe("UNAUTHENTICATED");
  });

  test("an authenticated subscription streams the team's activity", async () => {
    const stream = await sseSubscribe(`${t.url}/graphql`, ACTIVITIES, { teamId: org.teamA.id }, org.requester.token);
    expect(stream.status).toBe(200);
    const first = await stream.next();
    expect(first?.errors).toBeUndefined();
    await renameTeamA(`sse-${Date.now()}`);
    const second = await stream.next();
    stream.close();
    expect(second?.data.recentActivities.items[0].activityType).toBe("team_updated");
  });

  test("the stream ends when the session is revoked, at the next event", async () => {
    const user = org.approver;
    const token = (
      await t.gql(`mutation { login(input: {username: "${user.username}", password: "${user.password}"}) { token } }`)
    ).data.login.token;
    const stream = await sseSubscribe(`${t.url}/graphql`, ACTIVITIES, { teamId: org.teamA.id }, token);
    expect((await stream.next())?.errors).toBeUndefined();
    await t.gql(`mutation { logoutCurrent }`, {}, token);
    await renameTeamA(`after-logout-${Date.now()}`);
    const next = await stream.next();
    stream.close();
    expect(next === undefined || codeOf(next) === "UNAUTHENTICATED").toBe(true);
  });
});
