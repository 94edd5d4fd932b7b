import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { userFlagAssignments } from "@fluxgate/drizzle";
import * as grpc from "@grpc/grpc-js";
import { eq } from "drizzle-orm";
import {
  type ClientFixture,
  createClient,
  createFlag,
  createTeam,
  setClientEnabled,
  setKilled,
  type TeamFixture,
} from "./fixtures.ts";
import { type Backend, Recorder, rawClient, startBackend, statusOf } from "./harness.ts";

let backend: Backend;
let team: TeamFixture;
let other: TeamFixture;
let client: ClientFixture;
let rpc: ReturnType<typeof rawClient>;
let checkout: string;
let foreignFlag: string;

beforeAll(async () => {
  backend = await startBackend();
  const { db } = backend.database;
  team = await createTeam(db);
  other = await createTeam(db);
  client = await createClient(db, team.teamId, { type: "Web", origins: ["https://shop.example"] });
  checkout = (
    await createFlag(db, team.teamId, "checkout", {
      stages: [
        {
          environmentId: team.prod,
          rules: [
            { groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: ["NL"] }] }] },
          ],
        },
      ],
    })
  ).id;
  // the original's ILIKE lookup resolved `checkout` to `checkout-v2` (reference §12 bug 11)
  await createFlag(db, team.teamId, "checkout-v2", { stages: [{ environmentId: team.prod }] });
  foreignFlag = (await createFlag(db, other.teamId, "foreign", { stages: [{ environmentId: other.prod }] })).id;
  rpc = rawClient(backend.url);
}, 30_000);

afterAll(async () => {
  rpc.close();
  await backend.stop();
}, 30_000);

const creds = () => ({ client_id: client.id, client_secret: client.secret });

describe("Evaluate and GetFeatureByKey", () => {
  test("evaluate finds the flag by its exact key and runs the engine", async () => {
    const ctx = (country: string) => [{ key: "country", value: country }];
    const nl = await rpc.call("Evaluate", {
      ...creds(),
      feature_key: "checkout",
      environment_id: team.prod,
      context: ctx("NL"),
    });
    expect(nl).toMatchObject({ enabled: true, reason: "TARGETING_MATCH" });
    const de = await rpc.call("Evaluate", {
      ...creds(),
      feature_key: "checkout",
      environment_id: "prod",
      context: ctx("DE"),
    });
    expect(de.enabled).toBe(false);
  });

  test("an unknown flag is NOT_FOUND, also for a prefix or another team's key", async () => {
    for (const key of ["nope", "check", "foreign"]) {
      const request = { ...creds(), feature_key: key, environment_id: team.prod, context: [] };
      expect(await statusOf(rpc.call("Evaluate", request))).toBe(grpc.status.NOT_FOUND);
      expect(await statusOf(rpc.call("GetFeatureByKey", { ...creds(), feature_key: key }))).toBe(grpc.status.NOT_FOUND);
    }
  });

  test("GetFeatureByKey returns the original fields and the engine flag", async () => {
    const res = await rpc.call<{ feature: Record<string, unknown> & { stages: { criterias: unknown[] }[] } }>(
      "GetFeatureByKey",
      { ...creds(), feature_key: "checkout" },
    );
    expect(res.feature).toMatchObject({
      id: checkout,
      key: "checkout",
      kill_switch_enabled: true,
      value_type: "boolean",
    });
    expect(res.feature.stages[0].criterias).toEqual([
      expect.objectContaining({
        context_key: "country",
        rollout_percentage: 100,
        context: { key: "country", entries: ["NL"] },
      }),
    ]);
    expect(JSON.parse(res.feature.flag_json as string).key).toBe("checkout");
  });

  test("credentials: malformed id, wrong secret, unknown client", async () => {
    const request = { feature_key: "checkout", environment_id: team.prod, context: [] };
    const bad = [
      [{ client_id: "not-a-uuid", client_secret: "x" }, grpc.status.INVALID_ARGUMENT],
      [{ client_id: client.id, client_secret: "" }, grpc.status.INVALID_ARGUMENT],
      [{ client_id: client.id, client_secret: "fgs_wrong" }, grpc.status.UNAUTHENTICATED],
      [{ client_id: crypto.randomUUID(), client_secret: client.secret }, grpc.status.UNAUTHENTICATED],
    ] as const;
    for (const [c, code] of bad) expect(await statusOf(rpc.call("Evaluate", { ...request, ...c }))).toBe(code);
  });
});

describe("a bare secret (empty client_id)", () => {
  const request = { feature_key: "checkout", environment_id: "prod", context: [{ key: "country", value: "NL" }] };

  test("identifies its client by the secret's hash: evaluate, client info and the update stream", async () => {
    const evaluated = await rpc.call("Evaluate", { ...request, client_id: "", client_secret: client.secret });
    expect(evaluated).toMatchObject({ enabled: true, reason: "TARGETING_MATCH" });
    const info = await rpc.call("GetClientInfo", { client_id: "", client_secret: client.secret });
    expect(info).toMatchObject({ id: client.id, team_id: team.teamId, web_origins: ["https://shop.example"] });
    const edge = new Recorder(backend.url, { id: "", secret: client.secret }).start();
    try {
      while (edge.snapshots.length === 0) await Bun.sleep(10);
      expect(edge.snapshots[0].flags.map((f) => f.key).sort()).toEqual(["checkout", "checkout-v2"]);
    } finally {
      await edge.stop();
    }
  });

  test("an unknown, empty or oversized secret is refused without telling which", async () => {
    const bad = [
      ["fgs_nobody0000000000000000000000000000000000", grpc.status.UNAUTHENTICATED],
      [client.secret.slice(0, -1), grpc.status.UNAUTHENTICATED],
      [`${client.secret}${"x".repeat(1000)}`, grpc.status.UNAUTHENTICATED],
      ["", grpc.status.INVALID_ARGUMENT],
    ] as const;
    for (const [secret, code] of bad) {
      expect(await statusOf(rpc.call("Evaluate", { ...request, client_id: "", client_secret: secret }))).toBe(code);
      expect(await statusOf(rpc.call("GetClientInfo", { client_id: "", client_secret: secret }))).toBe(code);
    }
  });

  test("a disabled client's secret is PERMISSION_DENIED once the change is seen (cached answers are invalidated)", async () => {
    const { db } = backend.database;
    const disabled = await createClient(db, team.teamId);
    const call = () => rpc.call("GetClientInfo", { client_id: "", client_secret: disabled.secret });
    expect(await statusOf(call())).toBe("ok");
    await setClientEnabled(db, disabled.id, false);
    const deadline = Date.now() + 10_000;
    while ((await statusOf(call())) !== grpc.status.PERMISSION_DENIED && Date.now() < deadline) await Bun.sleep(50);
    expect(await statusOf(call())).toBe(grpc.status.PERMISSION_DENIED);
  });

  test("a flood of distinct wrong secrets is refused and leaves the server answering", async () => {
    const secrets = Array.from({ length: 300 }, (_, i) => `fgs_flood${String(i).padStart(36, "0")}`);
    const codes = await Promise.all(
      secrets.map((secret) => statusOf(rpc.call("GetClientInfo", { client_id: "", client_secret: secret }))),
    );
    expect(codes.every((c) => c === grpc.status.UNAUTHENTICATED)).toBe(true);
    expect(await statusOf(rpc.call("GetClientInfo", { client_id: "", client_secret: client.secret }))).toBe("ok");
  });
});

describe("GetClientInfo and assignments", () => {
  test("client info carries team, origins and binding", async () => {
    const edge = new Recorder(backend.url, client);
    try {
      const info = await edge.client.getClientInfo();
      expect(info).toMatchObject({
        id: client.id,
        team_id: team.teamId,
        client_type: "Web",
        enabled: true,
        web_origins: ["https://shop.example"],
        environment_id: "",
      });
    } finally {
      await edge.stop();
    }
  });

  test("assignments outside the client's team or with unstorable user ids are rejected, the rest stored and listed", async () => {
    const edge = new Recorder(backend.url, client);
    try {
      const ack = await edge.client.pushUserAssignments([
        { user_id: "u1", feature_id: checkout, environment_id: team.prod, assigned: true },
        { user_id: "u2", feature_id: foreignFlag, environment_id: other.prod, assigned: true },
        { user_id: "u3", feature_id: checkout, environment_id: other.prod, assigned: true },
        { user_id: "u4", feature_id: "not-a-uuid", environment_id: team.prod, assigned: true },
        // user ids the table cannot hold (Postgres text refuses NUL): rejected and counted, not the whole push
        { user_id: "u\u00005", feature_id: checkout, environment_id: team.prod, assigned: true },
        { user_id: "u".repeat(256), feature_id: checkout, environment_id: team.prod, assigned: true },
      ]);
      expect(ack).toMatchObject({ accepted_count: 1, rejected_count: 5 });
      const stored = await backend.database.db
        .select()
        .from(userFlagAssignments)
        .where(eq(userFlagAssignments.featureId, foreignFlag));
      expect(stored).toEqual([]);
      const listed = await edge.client.listUserAssignments();
      expect(listed.map((a) => a.user_id)).toEqual(["u1"]);
    } finally {
      await edge.stop();
    }
  });

  test("assigned: false deletes the row (an edge purged it); a killed feature takes no new assignments", async () => {
    const { db } = backend.database;
    const flag = (await createFlag(db, team.teamId, "purged", { stages: [{ environmentId: team.prod }] })).id;
    const row = (user: string, assigned: boolean) => ({
      user_id: user,
      feature_id: flag,
      environment_id: team.prod,
      assigned,
    });
    const stored = async () =>
      (await db.select().from(userFlagAssignments).where(eq(userFlagAssignments.featureId, flag)))
        .map((r) => r.userId)
        .sort();
    const edge = new Recorder(backend.url, client);
    try {
      expect(await edge.client.pushUserAssignments([row("a", true), row("b", true)])).toMatchObject({
        accepted_count: 2,
      });
      expect(await edge.client.pushUserAssignments([row("a", false)])).toMatchObject({ accepted_count: 1 });
      expect(await stored()).toEqual(["b"]);
      await setKilled(db, flag, true);
      // flushed by an edge that had not seen the kill yet: refused, so the kill's purge stays complete
      expect(await edge.client.pushUserAssignments([row("c", true), row("b", false)])).toMatchObject({
        accepted_count: 1,
        rejected_count: 1,
      });
      expect(await stored()).toEqual([]);
    } finally {
      await edge.stop();
    }
  });

  test("a bound client only reaches its environment", async () => {
    const { db } = backend.database;
    const bound = await createClient(db, team.teamId, { environmentId: team.dev });
    const request = { client_id: bound.id, client_secret: bound.secret, feature_key: "checkout", context: [] };
    expect(await statusOf(rpc.call("Evaluate", { ...request, environment_id: team.prod }))).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    const edge = new Recorder(backend.url, bound).start();
    try {
      while (edge.snapshots.length === 0) await Bun.sleep(10);
      expect(edge.snapshots[0].environments.map((e) => e.name)).toEqual(["dev"]);
      expect(edge.snapshots[0].flags.flatMap((f) => f.stages).every((s) => s.environmentId === team.dev)).toBe(true);
    } finally {
      await edge.stop();
    }
  });
});
