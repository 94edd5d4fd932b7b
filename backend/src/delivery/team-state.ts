/**
 * What one backend process holds for a team with open streams (or recent Evaluate calls): its flags at
 * `version`, kept current by the fan-out, and encoded frames shared by every stream of the team.
 */
import type { EnvironmentRef, Flag } from "@fluxgate/engine";
import { toFeatureFull } from "./feature-full.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import { featureChunk, featureFrame, frame } from "./frames.ts";
import { stagesOf, type TeamSnapshot } from "./snapshot-repository.ts";
import type { StreamSession } from "./stream-session.ts";

/** Cache key of the frames for streams bound to one environment, or to none. */
const ALL_ENVIRONMENTS = "*";
/** Size of one compact snapshot message (JSON characters), well under the 16 MB send limit. */
const COMPACT_CHUNK_CHARS = 512 * 1024;

export class TeamState {
  readonly sessions = new Set<StreamSession>();
  version = 0;
  environments: EnvironmentRef[] = [];
  lastUsed = Date.now();
  private readonly records = new Map<string, FlagRecord>();
  private readonly byKey = new Map<string, FlagRecord>();
  private readonly chunks = new Map<string, Map<string, Buffer>>();
  private readonly snapshots = new Map<string, Buffer[]>();
  private readonly flagJson = new Map<string, Map<string, string>>();

  constructor(readonly teamId: string) {}

  get flagCount(): number {
    return this.records.size;
  }

  /** Replaces everything with a freshly loaded snapshot. */
  load(snapshot: TeamSnapshot): void {
    this.records.clear();
    this.byKey.clear();
    this.chunks.clear();
    this.flagJson.clear();
    this.snapshots.clear();
    for (const record of snapshot.records) this.put(record);
    this.environments = snapshot.environments;
    this.version = Math.max(this.version, snapshot.version);
  }

  /** Stores a rebuilt flag; returns the key it had before when it was renamed. */
  upsert(record: FlagRecord): string | undefined {
    const id = record.flag.id as string;
    const previous = this.records.get(id);
    // a key another flag took over in the same change set stays with that flag
    if (previous && this.byKey.get(previous.flag.key) === previous) this.byKey.delete(previous.flag.key);
    this.put(record);
    this.forget(id);
    return previous && previous.flag.key !== record.flag.key ? previous.flag.key : undefined;
  }

  /** Drops a flag by id; returns it when it was there. */
  remove(id: string): FlagRecord | undefined {
    const previous = this.records.get(id);
    if (!previous) return undefined;
    this.records.delete(id);
    if (this.byKey.get(previous.flag.key) === previous) this.byKey.delete(previous.flag.key);
    this.forget(id);
    return previous;
  }

  byId(id: string): FlagRecord | undefined {
    return this.records.get(id);
  }

  /** Exact key lookup (never a pattern). */
  flag(key: string): FlagRecord | undefined {
    return this.byKey.get(key);
  }

  /** The engine flag for a dependency lookup. */
  readonly engineFlag = (key: string): Flag | undefined => this.byKey.get(key)?.flag;

  /** Encoded `feature` field of a flag as a stream bound to `environmentId` (or to none) receives it. */
  chunk(record: FlagRecord, environmentId: string | null): Buffer {
    const envKey = environmentId ?? ALL_ENVIRONMENTS;
    let perEnv = this.chunks.get(envKey);
    if (!perEnv) {
      perEnv = new Map();
      this.chunks.set(envKey, perEnv);
    }
    const id = record.flag.id as string;
    let chunk = perEnv.get(id);
    if (!chunk) {
      chunk = featureChunk(toFeatureFull(record, environmentId));
      perEnv.set(id, chunk);
    }
    return chunk;
  }

  /**
   * SNAPSHOT_BEGIN, the flags (one SNAPSHOT each, or `compact`: chunks of engine flags as JSON), SNAPSHOT_END;
   * built once per version, binding and form.
   */
  snapshotFrames(environmentId: string | null, compact = false): Buffer[] {
    const envKey = `${compact ? "compact:" : ""}${environmentId ?? ALL_ENVIRONMENTS}`;
    const cached = this.snapshots.get(envKey);
    if (cached) return cached;
    const environments = environmentId ? this.environments.filter((e) => e.id === environmentId) : this.environments;
    const frames = [
      frame({
        message_id: crypto.randomUUID(),
        action: "SNAPSHOT_BEGIN",
        version: this.version,
        team_id: this.teamId,
        environments,
        snapshot_size: this.records.size,
      }),
    ];
    if (compact) frames.push(...this.compactFrames(environmentId));
    else
      for (const record of this.byKey.values())
        frames.push(featureFrame("SNAPSHOT", this.version, this.chunk(record, environmentId)));
    frames.push(
      frame({ message_id: crypto.randomUUID(), action: "SNAPSHOT_END", version: this.version, team_id: this.teamId }),
    );
    this.snapshots.set(envKey, frames);
    return frames;
  }

  private compactFrames(environmentId: string | null): Buffer[] {
    const envKey = environmentId ?? ALL_ENVIRONMENTS;
    let perEnv = this.flagJson.get(envKey);
    if (!perEnv) {
      perEnv = new Map();
      this.flagJson.set(envKey, perEnv);
    }
    const frames: Buffer[] = [];
    let parts: string[] = [];
    let size = 0;
    const flush = () => {
      frames.push(frame({ action: "SNAPSHOT", version: this.version, flags_json: `[${parts.join(",")}]` }));
      parts = [];
      size = 0;
    };
    for (const record of this.byKey.values()) {
      const id = record.flag.id as string;
      let json = perEnv.get(id);
      if (json === undefined) {
        json = JSON.stringify(environmentId ? stagesOf(record.flag, environmentId) : record.flag);
        perEnv.set(id, json);
      }
      parts.push(json);
      size += json.length;
      if (size >= COMPACT_CHUNK_CHARS) flush();
    }
    if (parts.length > 0) flush();
    return frames;
  }

  /** Any change makes cached snapshot frames stale (they carry the version). */
  invalidateSnapshots(): void {
    this.snapshots.clear();
  }

  private put(record: FlagRecord): void {
    this.records.set(record.flag.id as string, record);
    this.byKey.set(record.flag.key, record);
  }

  private forget(id: string): void {
    for (const perEnv of this.chunks.values()) perEnv.delete(id);
    for (const perEnv of this.flagJson.values()) perEnv.delete(id);
    this.snapshots.clear();
  }
}
