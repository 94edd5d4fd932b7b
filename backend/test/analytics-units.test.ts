import { describe, expect, test } from "bun:test";
import { countCells, sketchTargets } from "../src/analytics/compaction";
import { batchDeltas } from "../src/analytics/deltas";
import { SPARSE_MAX, UserSketch, userEntry } from "../src/analytics/hll";
import type { DeltaRow } from "../src/analytics/maintenance-repository";
import {
  countSegments,
  DAY_MS,
  grainsForInterval,
  HOUR_MS,
  MINUTE_MS,
  minuteRange,
  segments,
  sketchSegments,
} from "../src/analytics/windows";

const sketchOf = (prefix: string, n: number, from = 0) =>
  UserSketch.of(Array.from({ length: n }, (_, i) => userEntry(`${prefix}-${from + i}`)));

describe("user sketches", () => {
  test("count exactly while sparse (up to the dense switch)", () => {
    for (const n of [0, 1, 2, 37, 500, SPARSE_MAX]) {
      const sketch = sketchOf("exact", n);
      expect(sketch.isDense).toBe(false);
      expect(sketch.estimate()).toBe(n);
    }
  });

  test("stay within 3 standard errors (1.6%) once dense", () => {
    for (const n of [SPARSE_MAX + 1, 5_000, 50_000, 100_000]) {
      const sketch = sketchOf("dense", n);
      expect(sketch.isDense).toBe(true);
      expect(Math.abs(sketch.estimate() - n) / n).toBeLessThan(3 * 0.0163);
    }
  });

  test("a repeated identity counts once", () => {
    const entries = [...Array(10)].flatMap(() => ["a", "b", "c"].map(userEntry));
    expect(UserSketch.of(entries).estimate()).toBe(3);
  });

  test("union counts the overlap once, for sparse, dense and mixed sketches", () => {
    const cases: [number, number, number][] = [
      [300, 200, 100], // sparse ∪ sparse
      [800, 800, 400], // sparse ∪ sparse → dense
      [20_000, 300, 150], // dense ∪ sparse
      [20_000, 20_000, 10_000], // dense ∪ dense
    ];
    for (const [a, b, overlap] of cases) {
      const truth = a + b - overlap;
      const union = UserSketch.union([sketchOf("u", a), sketchOf("u", b, a - overlap)]).estimate();
      const merged = sketchOf("u", a)
        .merge(sketchOf("u", b, a - overlap))
        .estimate();
      expect(merged).toBe(union);
      expect(Math.abs(union - truth) / truth).toBeLessThan(truth <= SPARSE_MAX ? 0.0001 : 3 * 0.0163);
    }
  });

  test("bytes round-trip in both forms", () => {
    for (const sketch of [UserSketch.empty(), sketchOf("b", 40), sketchOf("b", 9_000)]) {
      const decoded = UserSketch.decode(sketch.encode());
      expect(decoded.estimate()).toBe(sketch.estimate());
      expect(decoded.encode()).toEqual(sketch.encode());
    }
    expect(() => UserSketch.decode(new Uint8Array([7, 1]))).toThrow("not a user sketch");
  });
});

describe("windows", () => {
  const t0 = Date.UTC(2026, 0, 10, 10, 37, 25);

  test("an inclusive window covers the minute of its start through the minute of its end", () => {
    expect(minuteRange(t0, t0 + 5 * MINUTE_MS)).toEqual({
      from: Date.UTC(2026, 0, 10, 10, 37),
      to: Date.UTC(2026, 0, 10, 10, 43),
    });
  });

  test("a range splits into whole days, hours and minutes that tile it exactly", () => {
    const range = minuteRange(t0, t0 + 3 * DAY_MS);
    const segs = segments(range);
    expect(segs.map((s) => s.grain)).toEqual([1, 60, 1440, 60, 1]);
    expect(segs[2].to - segs[2].from).toBe(2 * DAY_MS);
    expect(segs[0].from).toBe(range.from);
    expect(segs.at(-1)?.to).toBe(range.to);
    for (let i = 1; i < segs.length; i++) expect(segs[i].from).toBe(segs[i - 1].to);
    for (const s of segs) expect(s.from % (s.grain * MINUTE_MS)).toBe(0);
  });

  test("counts of a window ending now read the day holding its end whole, less what lies after the window", () => {
    const now = t0 + 3 * DAY_MS;
    const range = minuteRange(now - 7 * DAY_MS, now);
    const segs = countSegments(range, now);
    const day = Math.floor((range.to - MINUTE_MS) / DAY_MS) * DAY_MS;
    expect(segs.filter((s) => !s.minus).at(-1)).toEqual({ grain: 1440, from: day, to: day + DAY_MS });
    // what is added less what is subtracted is exactly the window, minute by minute
    const minutes = new Map<number, number>();
    for (const s of segs) {
      for (let m = s.from; m < s.to; m += MINUTE_MS) minutes.set(m, (minutes.get(m) ?? 0) + (s.minus ? -1 : 1));
    }
    for (const [m, n] of minutes) expect([m, n]).toEqual([m, m >= range.from && m < range.to ? 1 : 0]);
    expect(segs.filter((s) => s.minus).every((s) => s.from >= range.to)).toBe(true);
    // a window ending in the past, or on a day boundary, is plain segments
    expect(countSegments(range, now + DAY_MS)).toEqual(segments(range));
    expect(countSegments(minuteRange(day - DAY_MS, day - MINUTE_MS), day - MINUTE_MS)).toEqual(
      segments(minuteRange(day - DAY_MS, day - MINUTE_MS)),
    );
  });

  test("a range shorter than an hour is minutes only", () => {
    expect(segments(minuteRange(t0, t0 + 10 * MINUTE_MS)).map((s) => s.grain)).toEqual([1]);
  });

  test("user sketches use days and hours only where those are sealed", () => {
    const range = minuteRange(t0, t0 + 3 * DAY_MS);
    const sealed = { day: Date.UTC(2026, 0, 12), hour: Date.UTC(2026, 0, 12, 15) };
    const segs = sketchSegments(range, sealed);
    expect(segs.map((s) => s.grain)).toEqual([1, 60, 1440, 60, 1]);
    expect(segs.find((s) => s.grain === 1440)?.to).toBe(sealed.day);
    expect(segs.at(-1)).toEqual({ grain: 1, from: sealed.hour, to: range.to });
    expect(sketchSegments(range, { day: 0, hour: 0 })).toEqual([{ grain: 1, ...range }]);
  });

  test("hour rows serve 60-minute buckets only; other intervals read minutes", () => {
    expect(grainsForInterval(60)).toEqual([60, 1]);
    expect(grainsForInterval(7)).toEqual([1]);
    const segs = segments(minuteRange(t0, t0 + 5 * HOUR_MS), grainsForInterval(5));
    expect(segs).toEqual([{ grain: 1, ...minuteRange(t0, t0 + 5 * HOUR_MS) }]);
  });
});

describe("batch deltas and cube cells", () => {
  const minute = Date.UTC(2026, 0, 10, 10, 37);
  const events = {
    t: [minute + 1_000, minute + 59_000, minute + 61_000],
    k: ["f", "f", "f"],
    e: ["env", "env", "env"],
    u: ["u1", "u1", null],
  };
  const rollups = {
    b: [minute, minute, minute + MINUTE_MS],
    k: ["f", "f", "f"],
    e: ["env", "env", "env"],
    r: [true, false, true],
    n: [1, 1, 1],
    c: [0, 1, 0],
  };

  test("a batch adds per minute, flag and environment: counts from its rollups, users and the last time from its events", () => {
    const deltas = batchDeltas(events, rollups);
    expect(deltas.map(({ users, ...d }) => ({ ...d, users: users?.estimate() ?? null }))).toEqual([
      {
        bucket: minute,
        featureKey: "f",
        environmentId: "env",
        evaluations: 2,
        successes: 1,
        cached: 1,
        lastAt: minute + 59_000,
        users: 1,
      },
      {
        bucket: minute + MINUTE_MS,
        featureKey: "f",
        environmentId: "env",
        evaluations: 1,
        successes: 1,
        cached: 0,
        lastAt: minute + 61_000,
        users: null,
      },
    ]);
  });

  test("a counters-only batch keeps the counts and dates the minute", () => {
    const [delta] = batchDeltas(
      { t: [], k: [], e: [], u: [] },
      { ...rollups, b: [minute], k: ["f"], e: ["env"], r: [true], n: [500], c: [20] },
    );
    expect(delta).toMatchObject({ evaluations: 500, successes: 500, cached: 20, lastAt: minute, users: null });
  });

  const delta: DeltaRow = {
    teamId: "t",
    bucket: minute,
    featureKey: "f",
    environmentId: "e",
    clientId: "c",
    evaluations: 3,
    successes: 2,
    cached: 1,
    lastAt: minute + 5,
    users: sketchOf("c", 2).encode(),
  };
  const twoClients = [delta, { ...delta, clientId: "c2", lastAt: minute + 9, users: sketchOf("c", 3).encode() }];
  const everything = (c: { featureKey: string; environmentId: string; clientId: string }) =>
    c.featureKey === "" && c.environmentId === "" && c.clientId === "";

  test("a delta adds to 24 cube rows: 3 grains × every combination of flag, environment and client or all", () => {
    const cells = countCells(twoClients);
    expect(cells.length).toBe(3 * (4 + 4 * 2));
    expect(
      cells
        .filter(everything)
        .sort((a, b) => b.grain - a.grain)
        .map((c) => [c.grain, c.bucket, c.evaluations, c.successes, c.cached, c.lastAt]),
    ).toEqual([
      [1440, Date.UTC(2026, 0, 10), 6, 4, 2, minute + 9],
      [60, Date.UTC(2026, 0, 10, 10), 6, 4, 2, minute + 9],
      [1, minute, 6, 4, 2, minute + 9],
    ]);
  });

  test("users go to minute sketches; to hour and day sketches only once those are sealed (a late delta)", () => {
    const grainsOf = (sealed: { hour: number; day: number }) =>
      [...new Set(sketchTargets(twoClients, sealed).map((t) => t.key.grain))].sort((a, b) => a - b);
    expect(grainsOf({ hour: minute, day: Date.UTC(2026, 0, 10) })).toEqual([1]);
    expect(grainsOf({ hour: minute + HOUR_MS, day: Date.UTC(2026, 0, 10) })).toEqual([1, 60]);
    expect(grainsOf({ hour: minute + HOUR_MS, day: Date.UTC(2026, 0, 11) })).toEqual([1, 60, 1440]);
    const all = sketchTargets(twoClients, { hour: 0, day: 0 }).find((t) => everything(t.key));
    expect(UserSketch.union(all?.sketches ?? []).estimate()).toBe(3);
  });
});
