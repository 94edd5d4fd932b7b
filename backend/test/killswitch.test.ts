/** The kill switch over GraphQL (reference §9.1): immediate and scheduled kills, the scheduler, release. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { features, openDatabase, teams, userFlagAssignments } from "@fluxgate/drizzle";
import { eq, inArray } from "drizzle-orm";
import type { AppDeps } from "../src/deps";
import { tryLeadScheduler } from "../src/killswitch/repository";
import { applyDueKills } from "../src/killswitch/service";
import { findPostgres, scratchDatabase } from "./delivery/postgres";
import {
  activitiesOf,
  changesOf,
  createFeature,
  type FeatureWorld,
  getFeature,
  stageIn,
  startFeatureWorld,
} from "./features-fixtures";
import { unique } from "./support/fixtures";
import { codeOf, dataOf } from "./support/gql";
import { SETUP_TIMEOUT_MS } from "./support/server";

let world: FeatureWorld;
beforeAll(async () => {
  world = await startFeatureWorld({ killSchedulerIntervalMs: 100 });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await world?.server.stop();
});

const KILL_FIELDS =
  "id killSwitchEnabled killSwitchActivatedAt rollbackScheduledAt stages { environmentId status enabled }";
const DISABLE = `mutation($id: ID!, $m: Int) { emergencyDisableFeature(id: $id, rollbackInMinutes: $m) { ${KILL_FIELDS} } }`;
const ENABLE = `mutation($id: ID!) { emergencyEnableFeature(id: $id) { ${KILL_FIELDS} } }`;
const ACTIVE = `query($t: ID, $scheduled: Boolean, $n: Int, $s: Int) {
  activeKillSwitches(teamId: $t, includeScheduled: $scheduled, pageNumber: $n, pageSize: $s) {
    items { id killSwitchEnabled rollbackScheduledAt } total
  }
}`;

/** A feature deployed in dev. */
async function deployedFeature(): Promise<string> {
  const id = await createFeature(world);
  const stage = stageIn(await getFeature(world, id), world.dev).id;
  dataOf(
    await world.gql(
      `mutation($id: ID!) { requestStageChange(stageId: $id, request: DEPLOYED) { id } }`,
      { id: stage },
      world.requester.token,
    ),
  );
  return id;
}

/** Stores sticky assignments of these users for a feature in dev and prod (as edges push them). */
async function assign(featureId: string, users: string[]): Promise<void> {
  const rows = users.flatMap((userId) =>
    [world.dev, world.prod].map((environmentId) => ({ userId, featureId, environmentId, assigned: true })),
  );
  await world.server.backend.deps.db.insert(userFlagAssignments).values(rows);
}

async function assignmentsOf(...featureIds: string[]): Promise<number> {
  const rows = await world.server.backend.deps.db
    .select()
    .from(userFlagAssignments)
    .where(inArray(userFlagAssignments.featureId, featureIds));
  return rows.length;
}

async function activeIds(variables: Record<string, unknown> = {}, token = world.viewer.token): Promise<string[]> {
  const page = dataOf(await world.gql(ACTIVE, { t: world.teamA.id, ...variables }, token)).activeKillSwitches;
  return page.items.map((f: { id: string }) => f.id);
}

describe("emergencyDisableFeature", () => {
  test("kills a feature at once without touching its stages, with an audit entry and a change", async () => {
    const id = await deployedFeature();
    const changes = (await changesOf(world.server, id)).length;
    const killed = dataOf(await world.gql(DISABLE, { id }, world.approver.token)).emergencyDisableFeature;
    expect(killed).toMatchObject({ killSwitchEnabled: false, rollbackScheduledAt: null });
    expect(Date.now() - Date.parse(killed.killSwitchActivatedAt)).toBeLessThan(60_000);
    expect(stageIn(killed, world.dev)).toMatchObject({ status: "DEPLOYED", enabled: true });
    expect((await changesOf(world.server, id)).length).toBe(changes + 1);
    const audit = (await activitiesOf(world.server, id)).at(-1);
    expect(audit).toMatchObject({ activityType: "kill_switch_activated", actorId: world.approver.userId });
    expect(audit?.metadata).toMatchObject({ scheduled: false });
    expect(await activeIds()).toContain(id);
  });

  test("a kill deletes the feature's stored sticky assignments in its transaction, and no other feature's", async () => {
    const id = await deployedFeature();
    const other = await deployedFeature();
    await assign(id, ["u-1", "u-2", "u-3"]);
    await assign(other, ["u-1"]);
    expect(await assignmentsOf(id)).toBe(6);
    dataOf(await world.gql(DISABLE, { id }, world.approver.token));
    expect(await assignmentsOf(id)).toBe(0);
    expect(await assignmentsOf(other)).toBe(2);
    expect((await activitiesOf(world.server, id)).at(-1)?.metadata).toMatchObject({ purged_assignments: 6 });
    // Released, the feature starts with no assignments: nothing resurrects (reference §12 bug 18).
    dataOf(await world.gql(ENABLE, { id }, world.approver.token));
    expect(await assignmentsOf(id)).toBe(0);
  });

  test("a refused kill and a scheduled (not yet due) kill keep the assignments", async () => {
    const id = await deployedFeature();
    await assign(id, ["u-1"]);
    expect(codeOf(await world.gql(DISABLE, { id }, world.requester.token))).toBe("FORBIDDEN");
    dataOf(await world.gql(DISABLE, { id, m: 30 }, world.approver.token));
    expect(await assignmentsOf(id)).toBe(2);
  });

  test("kills at once for 0 or a negative number of minutes", async () => {
    for (const m of [0, -5]) {
      const id = await createFeature(world);
      const killed = dataOf(await world.gql(DISABLE, { id, m }, world.approver.token)).emergencyDisableFeature;
      expect(killed).toMatchObject({ killSwitchEnabled: false, rollbackScheduledAt: null });
    }
  });

  test("schedules a kill N minutes ahead: not killed yet, listed with its time unless scheduled ones are left out", async () => {
    const id = await createFeature(world);
    const before = Date.now();
    const scheduled = dataOf(await world.gql(DISABLE, { id, m: 30 }, world.approver.token)).emergencyDisableFeature;
    expect(scheduled).toMatchObject({ killSwitchEnabled: true, killSwitchActivatedAt: null });
    const at = Date.parse(scheduled.rollbackScheduledAt);
    expect(at).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);
    expect(await activeIds()).toContain(id);
    expect(await activeIds({ scheduled: false })).not.toContain(id);
    expect((await activitiesOf(world.server, id)).at(-1)?.metadata).toMatchObject({
      scheduled: true,
      rollback_in_minutes: 30,
    });
  });

  test("killing a killed feature changes nothing; scheduling one is a CONFLICT; a delay over a week is refused", async () => {
    const id = await createFeature(world);
    const first = dataOf(await world.gql(DISABLE, { id }, world.approver.token)).emergencyDisableFeature;
    const changes = (await changesOf(world.server, id)).length;
    const again = dataOf(await world.gql(DISABLE, { id }, world.approver.token)).emergencyDisableFeature;
    expect(again.killSwitchActivatedAt).toBe(first.killSwitchActivatedAt);
    expect((await changesOf(world.server, id)).length).toBe(changes);
    expect(codeOf(await world.gql(DISABLE, { id, m: 5 }, world.approver.token))).toBe("CONFLICT");
    const other = await createFeature(world);
    const long = await world.gql(DISABLE, { id: other, m: 10081 }, world.approver.token);
    expect(long.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "rollbackInMinutes" });
    expect((await getFeature(world, other)).rollbackScheduledAt).toBeNull();
  });

  test("needs an Approver of the team", async () => {
    const id = await createFeature(world);
    expect(codeOf(await world.gql(DISABLE, { id }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(DISABLE, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(DISABLE, { id }, world.viewer.token))).toBe("FORBIDDEN");
    expect(codeOf(await world.gql(DISABLE, { id }, world.requester.token))).toBe("FORBIDDEN");
    expect(codeOf(await world.gql(DISABLE, { id: "x" }, world.approver.token))).toBe("BAD_USER_INPUT");
    expect((await getFeature(world, id)).killSwitchEnabled).toBe(true);
  });
});

describe("the scheduler", () => {
  test("applies a due scheduled kill without touching the stages, logging it as a scheduled execution", async () => {
    const id = await deployedFeature();
    dataOf(await world.gql(DISABLE, { id, m: 10 }, world.approver.token));
    const due = new Date(Date.now() - 1000);
    await world.server.backend.deps.db.update(features).set({ killScheduledAt: due }).where(eq(features.id, id));
    let feature = await getFeature(world, id);
    for (let i = 0; i < 100 && feature.killSwitchEnabled; i++) {
      await Bun.sleep(50);
      feature = await getFeature(world, id);
    }
    expect(feature).toMatchObject({
      killSwitchEnabled: false,
      rollbackScheduledAt: null,
      killSwitchActivatedAt: due.toISOString(),
    });
    expect(stageIn(feature, world.dev)).toMatchObject({ status: "DEPLOYED", enabled: true });
    const audit = (await activitiesOf(world.server, id)).at(-1);
    expect(audit).toMatchObject({ activityType: "kill_switch_activated", actorId: null });
    expect(audit?.metadata).toMatchObject({ scheduled_execution: true });
    expect((await changesOf(world.server, id)).at(-1)).toMatchObject({ kind: "UPSERT", entity: "feature" });
  });

  test("a scheduled kill coming due deletes the feature's stored sticky assignments", async () => {
    const id = await deployedFeature();
    await assign(id, ["u-1", "u-2"]);
    dataOf(await world.gql(DISABLE, { id, m: 10 }, world.approver.token));
    expect(await assignmentsOf(id)).toBe(4);
    const due = new Date(Date.now() - 1000);
    await world.server.backend.deps.db.update(features).set({ killScheduledAt: due }).where(eq(features.id, id));
    for (let i = 0; i < 100 && (await getFeature(world, id)).killSwitchEnabled; i++) await Bun.sleep(50);
    expect((await getFeature(world, id)).killSwitchEnabled).toBe(false);
    expect(await assignmentsOf(id)).toBe(0);
    expect((await activitiesOf(world.server, id)).at(-1)?.metadata).toMatchObject({
      scheduled_execution: true,
      purged_assignments: 4,
    });
  });

  test("works on one replica at a time: a tick that cannot take the advisory lock does nothing", async () => {
    const found = await findPostgres();
    if (!found.url) {
      console.warn(`skipped: the advisory lock needs two connections to a real Postgres (${found.source})`);
      return;
    }
    const scratch = await scratchDatabase(found.url);
    const handle = await openDatabase({ url: scratch.url });
    try {
      const [team] = await handle.db
        .insert(teams)
        .values({ name: unique("team") })
        .returning();
      const key = unique("due");
      const [feature] = await handle.db
        .insert(features)
        .values({ teamId: team.id, key, salt: key, killScheduledAt: new Date(Date.now() - 1000) })
        .returning();
      const deps = { db: handle.db } as AppDeps;
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked: (value: boolean) => void = () => {};
      const lockTaken = new Promise<boolean>((resolve) => {
        locked = resolve;
      });
      const leader = handle.db.transaction(async (tx) => {
        locked(await tryLeadScheduler(tx));
        await held;
      });
      expect(await lockTaken).toBe(true);
      expect(await applyDueKills(deps)).toBe(0);
      release();
      await leader;
      expect(await applyDueKills(deps)).toBe(1);
      const [after] = await handle.db.select().from(features).where(eq(features.id, feature.id));
      expect(after).toMatchObject({ killed: true, killScheduledAt: null });
    } finally {
      await handle.close();
      await scratch.drop();
    }
  }, 60_000);
});

describe("emergencyEnableFeature", () => {
  test("releases a kill: the deployed stages serve again as they were", async () => {
    const id = await deployedFeature();
    dataOf(await world.gql(DISABLE, { id }, world.approver.token));
    const changes = (await changesOf(world.server, id)).length;
    const enabled = dataOf(await world.gql(ENABLE, { id }, world.approver.token)).emergencyEnableFeature;
    expect(enabled).toMatchObject({ killSwitchEnabled: true, killSwitchActivatedAt: null, rollbackScheduledAt: null });
    expect(stageIn(enabled, world.dev)).toMatchObject({ status: "DEPLOYED", enabled: true });
    expect((await changesOf(world.server, id)).length).toBe(changes + 1);
    expect((await activitiesOf(world.server, id)).at(-1)).toMatchObject({ activityType: "kill_switch_deactivated" });
    expect(await activeIds()).not.toContain(id);
  });

  test("cancels a scheduled kill", async () => {
    const id = await createFeature(world);
    dataOf(await world.gql(DISABLE, { id, m: 15 }, world.approver.token));
    const enabled = dataOf(await world.gql(ENABLE, { id }, world.approver.token)).emergencyEnableFeature;
    expect(enabled).toMatchObject({ killSwitchEnabled: true, rollbackScheduledAt: null });
  });

  test("changes nothing on a feature that is neither killed nor scheduled", async () => {
    const id = await createFeature(world);
    const changes = (await changesOf(world.server, id)).length;
    dataOf(await world.gql(ENABLE, { id }, world.approver.token));
    expect((await changesOf(world.server, id)).length).toBe(changes);
  });

  test("needs an Approver of the team", async () => {
    const id = await createFeature(world);
    dataOf(await world.gql(DISABLE, { id }, world.approver.token));
    expect(codeOf(await world.gql(ENABLE, { id }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await world.gql(ENABLE, { id }, world.outsider.token))).toBe("NOT_FOUND");
    expect(codeOf(await world.gql(ENABLE, { id }, world.requester.token))).toBe("FORBIDDEN");
    expect((await getFeature(world, id)).killSwitchEnabled).toBe(false);
  });
});

describe("activeKillSwitches", () => {
  test("is scoped to teams the caller can read, and pages", async () => {
    const id = await createFeature(world);
    dataOf(await world.gql(DISABLE, { id }, world.approver.token));
    expect(codeOf(await world.gql(ACTIVE, { t: world.teamA.id }, world.outsider.token))).toBe("NOT_FOUND");
    const theirs = dataOf(await world.gql(ACTIVE, {}, world.outsider.token)).activeKillSwitches;
    expect(theirs.items.map((f: { id: string }) => f.id)).not.toContain(id);
    const mine = dataOf(await world.gql(ACTIVE, {}, world.viewer.token)).activeKillSwitches;
    expect(mine.items.map((f: { id: string }) => f.id)).toContain(id);
    const page = dataOf(
      await world.gql(ACTIVE, { t: world.teamA.id, n: 1, s: 1 }, world.viewer.token),
    ).activeKillSwitches;
    expect(page.items).toHaveLength(1);
    expect(page.total).toBe(mine.total);
    expect(codeOf(await world.gql(ACTIVE, {}))).toBe("UNAUTHENTICATED");
  });
});
