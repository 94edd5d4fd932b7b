import { describe, expect, test } from "bun:test";
import { inflateRawSync } from "node:zlib";
import type { Flag } from "@fluxgate/engine";
import { type FeatureUpdate, loadFluxgateProto } from "@fluxgate/proto";
import type { FlagRecord } from "../../src/delivery/flag-assembly.ts";
import { type SnapshotForm, TeamState } from "../../src/delivery/team-state.ts";

const decode = loadFluxgateProto().service.StreamUpdates.responseDeserialize as (b: Buffer) => FeatureUpdate;
const DEV = "00000000-0000-4000-8000-00000000000d";
const PROD = "00000000-0000-4000-8000-00000000000f";

function record(i: number, killed = false): FlagRecord {
  const flag: Flag = {
    key: `flag-${String(i).padStart(5, "0")}`,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    salt: `salt-${i}`,
    valueType: "boolean",
    variants: [],
    defaultVariant: null,
    offVariant: null,
    killed,
    killAt: null,
    dependencies: [],
    stages: [DEV, PROD].map((environmentId) => ({
      environmentId,
      deployed: true,
      bucketingKey: null,
      rules: [
        {
          id: `rule-${i}-${environmentId.slice(-1)}`,
          groupsOperator: "AND",
          groups: [{ operator: "AND", conditions: [{ contextKey: "country", operator: "in", values: ["NL", "DE"] }] }],
          rollout: 50,
          serve: { kind: "on" },
        },
      ],
    })),
    sticky: true,
  };
  return {
    flag,
    teamId: "team",
    description: "",
    featureType: "Simple",
    createdAt: new Date(0),
    killedAt: null,
    killScheduledAt: null,
    stageMeta: new Map(),
    dependencyIds: [],
    contextNames: new Map(),
  };
}

/** The flags and version a snapshot's frames carry, whatever their form. */
function read(frames: Buffer[]): { version: number; size: number; chunks: number; flags: Map<string, Flag> } {
  const messages = frames.map(decode);
  const [begin] = messages;
  expect(begin.action).toBe("SNAPSHOT_BEGIN");
  expect(messages.at(-1)?.action).toBe("SNAPSHOT_END");
  const flags = new Map<string, Flag>();
  let chunks = 0;
  let count = 0;
  for (const m of messages.slice(1, -1)) {
    expect(m.action).toBe("SNAPSHOT");
    expect(m.version).toBe(begin.version);
    let list: Flag[];
    if (m.flags_json_deflate.length > 0) list = JSON.parse(inflateRawSync(m.flags_json_deflate).toString("utf8"));
    else if (m.flags_json) list = JSON.parse(m.flags_json);
    else list = [JSON.parse((m.feature as { flag_json: string }).flag_json)];
    if (m.flags_json || m.flags_json_deflate.length > 0) chunks++;
    count += list.length;
    for (const f of list) flags.set(f.key, f);
  }
  expect(flags.size).toBe(count); // no flag twice
  return { version: begin.version, size: begin.snapshot_size, chunks, flags };
}

function expected(records: FlagRecord[], environmentId: string | null): Map<string, Flag> {
  return new Map(
    records.map((r) => [
      r.flag.key,
      environmentId ? { ...r.flag, stages: r.flag.stages.filter((s) => s.environmentId === environmentId) } : r.flag,
    ]),
  );
}

const FORMS: SnapshotForm[] = ["full", "compact", "deflate"];
/** ~1.6 MB of flag JSON: two compact chunks. */
const N = 2_500;

describe("team snapshot frames", () => {
  test("every form and binding carries the same flags; big snapshots come in a few chunks", () => {
    const records = Array.from({ length: N }, (_, i) => record(i));
    const team = new TeamState("team");
    team.load({ teamId: "team", version: 7, environments: [], records });
    for (const form of FORMS) {
      for (const env of [null, PROD]) {
        const snapshot = read(team.snapshotFrames(env, form));
        expect(snapshot.version).toBe(7);
        expect(snapshot.size).toBe(N);
        expect(snapshot.flags).toEqual(expected(records, env));
        if (form !== "full") expect(snapshot.chunks).toBeGreaterThan(1);
        if (form !== "full") expect(snapshot.chunks).toBeLessThan(10);
        expect(team.hasSnapshot(env, form)).toBe(true);
      }
    }
  }, 30_000);

  test("after upserts, a new flag and a removal, the next snapshot has exactly the new state", () => {
    const records = Array.from({ length: N }, (_, i) => record(i));
    const team = new TeamState("team");
    team.load({ teamId: "team", version: 7, environments: [], records });
    // one flag of the first chunk changes: the other chunks are sent as the same bytes (cached)
    const before = team.snapshotFrames(null, "compact");
    const changed = record(10, true);
    team.upsert(changed);
    team.version = 8;
    team.invalidateSnapshots();
    const after = team.snapshotFrames(null, "compact");
    expect(after.length).toBe(before.length);
    // past the small header (action, version): the chunk's field
    const tail = (f: Buffer) => f.subarray(16);
    expect(tail(after[1]).equals(tail(before[1]))).toBe(false);
    for (let c = 2; c < after.length - 1; c++) expect(tail(after[c]).equals(tail(before[c]))).toBe(true);
    // then a new flag and a removal
    team.upsert(record(9_999));
    team.remove(records[N - 1].flag.id as string);
    team.version = 9;
    team.invalidateSnapshots();
    const now = [...records.slice(0, N - 1), record(9_999)];
    now[10] = changed;
    for (const form of FORMS) {
      expect(team.hasSnapshot(null, form)).toBe(false);
      const snapshot = read(team.snapshotFrames(null, form));
      expect(snapshot.version).toBe(9);
      expect(snapshot.size).toBe(N);
      expect(snapshot.flags).toEqual(expected(now, null));
      expect(snapshot.flags.get(changed.flag.key)?.killed).toBe(true);
    }
  }, 30_000);
});
