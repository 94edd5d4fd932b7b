/**
 * What one stored batch adds to the analytics, per (minute, flag, environment): counts from the batch's rollup
 * increments (the truth, also when the edge sent counters and dropped raw detail), the latest evaluation time and
 * a sketch of the users among its events. Pure.
 */
import { UserSketch, userEntry } from "./hll";
import { MINUTE_MS } from "./windows";

/** The event columns analytics reads (delivery's `EventColumns` has them): epoch ms, flag, environment, user. */
export interface BatchEvents {
  t: readonly number[];
  k: readonly string[];
  e: readonly string[];
  u: readonly (string | null)[];
}

/** Rollup increments (delivery's `RollupColumns`): minute, flag, environment, result, count, cached count. */
export interface BatchRollups {
  b: readonly number[];
  k: readonly string[];
  e: readonly string[];
  r: readonly boolean[];
  n: readonly number[];
  c: readonly number[];
}

export interface Delta {
  /** Minute start, epoch ms. */
  bucket: number;
  featureKey: string;
  environmentId: string;
  evaluations: number;
  successes: number;
  cached: number;
  /** Latest evaluation, epoch ms (the minute's start when only counters said so). */
  lastAt: number;
  users: UserSketch | null;
}

interface Acc extends Omit<Delta, "users"> {
  entries: number[];
}

export function batchDeltas(events: BatchEvents, rollups: BatchRollups): Delta[] {
  const byKey = new Map<string, Acc>();
  const acc = (bucket: number, featureKey: string, environmentId: string): Acc => {
    const key = `${bucket}\u0000${featureKey}\u0000${environmentId}`;
    let found = byKey.get(key);
    if (!found) {
      found = {
        bucket,
        featureKey,
        environmentId,
        evaluations: 0,
        successes: 0,
        cached: 0,
        lastAt: bucket,
        entries: [],
      };
      byKey.set(key, found);
    }
    return found;
  };
  for (let i = 0; i < rollups.b.length; i++) {
    const a = acc(rollups.b[i], rollups.k[i], rollups.e[i]);
    a.evaluations += rollups.n[i];
    if (rollups.r[i]) a.successes += rollups.n[i];
    a.cached += rollups.c[i];
  }
  // users repeat within a batch: hash each identity once
  const entryOf = new Map<string, number>();
  for (let i = 0; i < events.t.length; i++) {
    const at = events.t[i];
    const a = acc(Math.floor(at / MINUTE_MS) * MINUTE_MS, events.k[i], events.e[i]);
    if (at > a.lastAt) a.lastAt = at;
    const user = events.u[i];
    if (user === null) continue;
    let entry = entryOf.get(user);
    if (entry === undefined) {
      entry = userEntry(user);
      entryOf.set(user, entry);
    }
    a.entries.push(entry);
  }
  return [...byKey.values()].map(({ entries, ...delta }) => ({
    ...delta,
    users: entries.length > 0 ? UserSketch.of(entries) : null,
  }));
}
