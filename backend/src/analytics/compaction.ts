/**
 * Folds ingest's deltas into the cube, one replica at a time (advisory lock):
 * - counts: each delta adds to 24 cube rows (minute, hour and day × the 8 combinations of flag / environment /
 *   client or "all"); hot rows like "the team, today" are written once per run, not once per batch per replica;
 * - users: each delta's sketch is merged into the 8 minute sketches. An hour's sketches are built from its minute
 *   sketches once the hour is over ("sealing", `SEAL_GRACE_MS` later), a day's from its hours, so a 4 KB sketch is
 *   written about once, not every run. A late delta (its hour already sealed) is merged into the hour and day too.
 * Merging a stored sketch in memory and writing it back is safe because only the lock holder writes.
 */
import type { Db, Tx } from "@fluxgate/drizzle";
import { UserSketch } from "./hll";
import * as repo from "./maintenance-repository";
import { sealedUntil } from "./repository";
import { DAY_MS, GRAINS, HOUR_MS, MINUTE_MS, type Sealed } from "./windows";

/** Deltas folded per transaction. */
export const COMPACTION_CHUNK = 5_000;
/** How long after an hour ends its sketches are built (edges flush every few seconds; later data is "late"). */
export const SEAL_GRACE_MS = 2 * MINUTE_MS;

type Key = repo.CellKey;

const keyId = (k: Key) =>
  `${k.teamId}\u0000${k.grain}\u0000${k.bucket}\u0000${k.featureKey}\u0000${k.environmentId}\u0000${k.clientId}`;

/**
 * Visits the 8 keys of a delta at one grain — flag, environment and client each kept or "all" ('') — as their
 * `keyId` (`keyOf` builds the key object, only wanted for ids not seen before).
 */
function eachKey(d: repo.DeltaRow, grain: number, visit: (id: string, mask: number, bucket: number) => void): void {
  const bucket = Math.floor(d.bucket / (grain * MINUTE_MS)) * grain * MINUTE_MS;
  const head = `${d.teamId}\u0000${grain}\u0000${bucket}\u0000`;
  for (let mask = 0; mask < 8; mask++) {
    visit(
      `${head}${mask & 1 ? d.featureKey : ""}\u0000${mask & 2 ? d.environmentId : ""}\u0000${mask & 4 ? d.clientId : ""}`,
      mask,
      bucket,
    );
  }
}

const keyOf = (d: repo.DeltaRow, grain: number, bucket: number, mask: number): Key => ({
  teamId: d.teamId,
  grain,
  bucket,
  featureKey: mask & 1 ? d.featureKey : "",
  environmentId: mask & 2 ? d.environmentId : "",
  clientId: mask & 4 ? d.clientId : "",
});

/** The cube rows a set of deltas adds to, with the sums, in primary key order (lock order). */
export function countCells(deltas: readonly repo.DeltaRow[]): repo.CountCell[] {
  const cells = new Map<string, repo.CountCell>();
  for (const d of deltas) {
    for (const grain of GRAINS) {
      eachKey(d, grain, (id, mask, bucket) => {
        const cell = cells.get(id);
        if (!cell) {
          cells.set(id, {
            ...keyOf(d, grain, bucket, mask),
            evaluations: d.evaluations,
            successes: d.successes,
            cached: d.cached,
            lastAt: d.lastAt,
          });
          return;
        }
        cell.evaluations += d.evaluations;
        cell.successes += d.successes;
        cell.cached += d.cached;
        if (d.lastAt > cell.lastAt) cell.lastAt = d.lastAt;
      });
    }
  }
  return sortedValues(cells);
}

/** The sketch rows the deltas' users go to: minutes always, hours and days already sealed too. */
export function sketchTargets(
  deltas: readonly repo.DeltaRow[],
  sealed: Sealed,
): { key: Key; sketches: UserSketch[] }[] {
  const targets = new Map<string, { key: Key; sketches: UserSketch[] }>();
  for (const d of deltas) {
    if (!d.users) continue;
    const users = UserSketch.decode(d.users);
    const grains = [1];
    if (d.bucket < sealed.hour) grains.push(60);
    if (d.bucket < sealed.day) grains.push(1440);
    for (const grain of grains) {
      eachKey(d, grain, (id, mask, bucket) => {
        const target = targets.get(id);
        if (target) target.sketches.push(users);
        else targets.set(id, { key: keyOf(d, grain, bucket, mask), sketches: [users] });
      });
    }
  }
  return sortedValues(targets);
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Merges `additions` into the stored sketches of their keys and writes them back. */
async function mergeSketches(tx: Tx, additions: { key: Key; sketches: UserSketch[] }[]): Promise<void> {
  const stored = new Map<string, Uint8Array>();
  for (const s of await repo.sketchesAt(
    tx,
    additions.map((a) => a.key),
  ))
    stored.set(keyId(s), s.users);
  await repo.putSketches(
    tx,
    additions.map(({ key, sketches }) => {
      const before = stored.get(keyId(key));
      const all = before ? [UserSketch.decode(before), ...sketches] : sketches;
      return { ...key, users: UserSketch.union(all).encode() };
    }),
  );
}

/** The watermarks, set on first use to the oldest unsealed data (or now): nothing before it needs sealing. */
async function ensureSealed(tx: Tx, now: number): Promise<Sealed> {
  const sealed = await sealedUntil(tx);
  if (sealed.hour > 0) return sealed;
  const start = Math.floor(((await repo.oldestUnsealedMinute(tx)) ?? now) / HOUR_MS) * HOUR_MS;
  const day = Math.floor(start / DAY_MS) * DAY_MS;
  await repo.setSealed(tx, 60, start);
  await repo.setSealed(tx, 1440, day);
  return { hour: start, day };
}

/**
 * Folds up to `limit` deltas in one transaction; returns how many (0 also when another replica is compacting).
 * Readers see the deltas or their effect on the cube, never both: they read both tables in one statement.
 */
export async function compactOnce(db: Db, limit = COMPACTION_CHUNK, now = Date.now()): Promise<number> {
  return db.transaction(async (tx) => {
    if (!(await repo.tryJobLock(tx, "compaction"))) return 0;
    const sealed = await ensureSealed(tx, now);
    const deltas = await repo.takeDeltas(tx, limit);
    if (deltas.length === 0) return 0;
    await repo.addCounts(tx, countCells(deltas));
    await mergeSketches(tx, sketchTargets(deltas, sealed));
    return deltas.length;
  });
}

/**
 * Builds the sketches of the next hour once it is `SEAL_GRACE_MS` over (and of its day, when that hour was the
 * day's last); returns whether it sealed anything. Best after folding the pending deltas: one still pending for
 * the hour is merged into the sealed sketches later, as a late delta (correct, just more work).
 */
export async function sealOnce(db: Db, now = Date.now()): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await repo.tryJobLock(tx, "compaction"))) return false;
    const sealed = await ensureSealed(tx, now);
    let changed = false;
    if (sealed.hour + HOUR_MS + SEAL_GRACE_MS <= now) {
      await rollUp(tx, 1, 60, sealed.hour, sealed.hour + HOUR_MS);
      sealed.hour += HOUR_MS;
      await repo.setSealed(tx, 60, sealed.hour);
      changed = true;
    }
    if (sealed.day + DAY_MS <= sealed.hour) {
      await rollUp(tx, 60, 1440, sealed.day, sealed.day + DAY_MS);
      await repo.setSealed(tx, 1440, sealed.day + DAY_MS);
      changed = true;
    }
    return changed;
  });
}

/** Writes the `to`-grain sketches of `[from, until)` as unions of its `from`-grain sketches, team by team. */
async function rollUp(tx: Tx, fromGrain: number, toGrain: number, from: number, until: number): Promise<void> {
  for (const teamId of await repo.teamsWithSketches(tx, fromGrain, from, until)) {
    const groups = new Map<string, { key: Key; sketches: UserSketch[] }>();
    for (const { users, ...cell } of await repo.sketchesIn(tx, teamId, fromGrain, from, until)) {
      const key = { ...cell, grain: toGrain, bucket: from };
      const id = keyId(key);
      const sketch = UserSketch.decode(users);
      const group = groups.get(id);
      if (group) group.sketches.push(sketch);
      else groups.set(id, { key, sketches: [sketch] });
    }
    await mergeSketches(tx, sortedValues(groups));
  }
}
