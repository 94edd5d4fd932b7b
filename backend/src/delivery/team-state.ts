/**
 * What one backend process holds for a team with open streams (or recent Evaluate calls): its flags at
 * `version`, kept current by the fan-out, and encoded frames shared by every stream of the team.
 *
 * Compact snapshots are cached as encoded chunks of engine-flag JSON (`CompactChunks`): a change re-encodes
 * only the chunk holding the changed flag, so a subscriber after a change still gets an almost entirely
 * cached snapshot; only the small SNAPSHOT headers (which carry the version) are encoded per version.
 */
import type { EnvironmentRef, Flag } from "@fluxgate/engine";
import { toFeatureFull } from "./feature-full.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import { featureChunk, featureFrame, flagsJsonDeflateField, flagsJsonField, frame } from "./frames.ts";
import { stagesOf, type TeamSnapshot } from "./snapshot-repository.ts";
import type { StreamSession } from "./stream-session.ts";
import { traceNow } from "./trace.ts";

/**
 * How a stream gets snapshots: one FeatureFull per flag (original edges), chunks of engine-flag JSON (`compact`),
 * or those chunks raw-deflated (`deflate`).
 */
export type SnapshotForm = "full" | "compact" | "deflate";

/** Cache key of the frames for streams bound to one environment, or to none. */
const ALL_ENVIRONMENTS = "*";
/** Target size of one compact snapshot message (JSON characters), well under the 16 MB send limit. */
const COMPACT_CHUNK_CHARS = 1024 * 1024;

export class TeamState {
  readonly sessions = new Set<StreamSession>();
  version = 0;
  environments: EnvironmentRef[] = [];
  lastUsed = Date.now();
  /** When the state was last (re)loaded from the database (`traceNow()` clock). */
  loadedAt = 0;
  private readonly records = new Map<string, FlagRecord>();
  private readonly byKey = new Map<string, FlagRecord>();
  private readonly chunks = new Map<string, Map<string, Buffer>>();
  private readonly snapshots = new Map<string, Buffer[]>();
  private readonly compact = new Map<string, CompactChunks>();

  constructor(readonly teamId: string) {}

  get flagCount(): number {
    return this.records.size;
  }

  /** Replaces everything with a freshly loaded snapshot. */
  load(snapshot: TeamSnapshot): void {
    this.records.clear();
    this.byKey.clear();
    this.chunks.clear();
    this.compact.clear();
    this.snapshots.clear();
    for (const record of snapshot.records) this.put(record);
    this.environments = snapshot.environments;
    this.version = Math.max(this.version, snapshot.version);
    this.loadedAt = traceNow();
  }

  /** Stores a rebuilt flag; returns the key it had before when it was renamed. */
  upsert(record: FlagRecord): string | undefined {
    const id = record.flag.id as string;
    const previous = this.records.get(id);
    // a key another flag took over in the same change set stays with that flag
    if (previous && this.byKey.get(previous.flag.key) === previous) this.byKey.delete(previous.flag.key);
    this.put(record);
    this.forget(id);
    for (const chunks of this.compact.values()) chunks.touch(id);
    return previous && previous.flag.key !== record.flag.key ? previous.flag.key : undefined;
  }

  /** Drops a flag by id; returns it when it was there. */
  remove(id: string): FlagRecord | undefined {
    const previous = this.records.get(id);
    if (!previous) return undefined;
    this.records.delete(id);
    if (this.byKey.get(previous.flag.key) === previous) this.byKey.delete(previous.flag.key);
    this.forget(id);
    for (const chunks of this.compact.values()) chunks.remove(id);
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

  /** Whether the snapshot frames of this binding and form are cached for the current version. */
  hasSnapshot(environmentId: string | null, form: SnapshotForm = "full"): boolean {
    return this.snapshots.has(`${form}:${environmentId ?? ALL_ENVIRONMENTS}`);
  }

  /**
   * SNAPSHOT_BEGIN, the flags (`full`: one SNAPSHOT each; `compact`: chunks of engine flags as JSON; `deflate`: the
   * same chunks raw-deflated), SNAPSHOT_END; built once per version, binding and form.
   */
  snapshotFrames(environmentId: string | null, form: SnapshotForm = "full"): Buffer[] {
    const envKey = `${form}:${environmentId ?? ALL_ENVIRONMENTS}`;
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
    if (form !== "full") frames.push(...this.compactFrames(environmentId, form === "deflate"));
    else
      for (const record of this.byKey.values())
        frames.push(featureFrame("SNAPSHOT", this.version, this.chunk(record, environmentId)));
    frames.push(
      frame({ message_id: crypto.randomUUID(), action: "SNAPSHOT_END", version: this.version, team_id: this.teamId }),
    );
    this.snapshots.set(envKey, frames);
    return frames;
  }

  private compactFrames(environmentId: string | null, deflate: boolean): Buffer[] {
    const envKey = environmentId ?? ALL_ENVIRONMENTS;
    let chunks = this.compact.get(envKey);
    if (!chunks) {
      chunks = new CompactChunks((id) => {
        const flag = (this.records.get(id) as FlagRecord).flag;
        return JSON.stringify(environmentId ? stagesOf(flag, environmentId) : flag);
      }, this.byKey.values());
      this.compact.set(envKey, chunks);
    }
    const header = frame({ action: "SNAPSHOT", version: this.version });
    return chunks.payloads(deflate).map((payload) => Buffer.concat([header, payload]));
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
    this.snapshots.clear();
  }
}

interface Chunk {
  ids: Set<string>;
  /** JSON characters of the chunk when last encoded. */
  chars: number;
  /** The encoded `flags_json` field, or null when not built since a flag in it changed. */
  payload: Buffer | null;
  /** The encoded `flags_json_deflate` field, likewise. */
  deflated: Buffer | null;
}

/**
 * The compact snapshot of one binding as chunks of flag JSON. A flag stays in the chunk it was first put in
 * (new flags join the last chunk while it has room), so a change dirties one chunk; flags keep their JSON
 * until they change.
 */
class CompactChunks {
  private readonly json = new Map<string, string>();
  private readonly chunkOf = new Map<string, Chunk>();
  private chunks: Chunk[] = [];

  constructor(
    private readonly render: (id: string) => string,
    records: Iterable<FlagRecord>,
  ) {
    for (const record of records) this.place(record.flag.id as string);
  }

  /** A flag was upserted: its JSON is stale (a new flag joins the last chunk). */
  touch(id: string): void {
    this.json.delete(id);
    const chunk = this.chunkOf.get(id);
    if (chunk) stale(chunk);
    else this.place(id);
  }

  remove(id: string): void {
    this.json.delete(id);
    const chunk = this.chunkOf.get(id);
    if (!chunk) return;
    this.chunkOf.delete(id);
    chunk.ids.delete(id);
    stale(chunk);
    if (chunk.ids.size === 0) this.chunks = this.chunks.filter((c) => c !== chunk);
  }

  /** The encoded `flags_json` (or `flags_json_deflate`) field of every chunk, encoding the stale ones. */
  payloads(deflate: boolean): Buffer[] {
    return this.chunks.map((chunk) => {
      const cached = deflate ? chunk.deflated : chunk.payload;
      if (cached) return cached;
      const json = this.text(chunk);
      if (deflate) chunk.deflated = flagsJsonDeflateField(json);
      else chunk.payload = flagsJsonField(json);
      return (deflate ? chunk.deflated : chunk.payload) as Buffer;
    });
  }

  /** A chunk's JSON array, rendering the flags that changed. */
  private text(chunk: Chunk): string {
    const parts: string[] = [];
    let chars = 0;
    for (const id of chunk.ids) {
      let json = this.json.get(id);
      if (json === undefined) {
        json = this.render(id);
        this.json.set(id, json);
      }
      parts.push(json);
      chars += json.length;
    }
    chunk.chars = chars;
    return `[${parts.join(",")}]`;
  }

  private place(id: string): void {
    const json = this.render(id);
    this.json.set(id, json);
    let last = this.chunks.at(-1);
    if (!last || last.chars >= COMPACT_CHUNK_CHARS) {
      last = { ids: new Set(), chars: 0, payload: null, deflated: null };
      this.chunks.push(last);
    }
    last.ids.add(id);
    last.chars += json.length;
    stale(last);
    this.chunkOf.set(id, last);
  }
}

function stale(chunk: Chunk): void {
  chunk.payload = null;
  chunk.deflated = null;
}
