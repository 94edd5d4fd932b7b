/**
 * The store partitioned by team: each team's flags, compiled, swapped whole on every update so a request reads one
 * consistent store (a single reference read). A credential only ever reaches its own team's tenant.
 *
 * Memory: besides the compiled store a tenant keeps its flags, which is what a recompile and the disk snapshot need:
 * first as the objects it was given, then — once packed, right after the swap and off the apply path — as ONE
 * raw-deflated JSON array (a 10,000-flag team's 20 MB of flag JSON is about 1 MB packed; flag JSON is mostly
 * repeated keys and value lists). Deltas arriving together are applied in one recompile (compiling is O(all flags),
 * so one per delta would stall requests on a busy team).
 */
import { deflateRaw, inflateRawSync } from "node:zlib";
import type { Logger } from "../log.ts";
import {
  type Compiled,
  compile,
  type EnvironmentRef,
  type Flag,
  type FlagStore,
  type JsonValue,
  type Snapshot,
  type ValueType,
} from "./engine.ts";

/** Changes since a version: flags upserted or deleted, and the environment list when it changed. */
export interface SnapshotDelta {
  version: number;
  upserts?: Flag[];
  deletes?: string[];
  environments?: EnvironmentRef[];
}

/** What stickiness needs to know about a flag with `sticky` set. */
export interface StickyFlag {
  key: string;
  id: string;
  /** Environment id → the stage's bucketing key (null = default keys). */
  bucketingKeys: Map<string, string | null>;
  valueType: ValueType;
  /** Variant key → value (non-boolean flags). */
  variants: Map<string, JsonValue>;
  killed: boolean;
  killAt: number | null;
}

export class Tenant {
  /** Epoch ms the store was last known current (an update, a heartbeat, or the disk file's age). */
  updatedAt: number;
  /** The flags until packed (null after). */
  private objects: readonly Flag[] | null;
  /** The flags as a raw-deflated JSON array, once packed. */
  private packed: Buffer | null = null;
  private packing = false;

  constructor(
    readonly teamId: string,
    readonly environments: readonly EnvironmentRef[],
    /** One per key, in the order given; never mutated (nor may the caller mutate them). */
    flags: readonly Flag[],
    readonly store: FlagStore,
    readonly stickyFlags: ReadonlyMap<string, StickyFlag>,
    updatedAt: number,
  ) {
    this.objects = flags;
    this.updatedAt = updatedAt;
  }

  get version(): number {
    return this.store.version;
  }

  /** Whether the flags are held packed (tests, diagnostics). */
  get isPacked(): boolean {
    return this.packed !== null;
  }

  /** The flags: the objects given, or parsed again from the packed JSON (fresh objects). */
  flags(): Flag[] {
    return this.objects ? [...this.objects] : (JSON.parse(this.flagsJson()) as Flag[]);
  }

  snapshot(): Snapshot {
    return { version: this.version, teamId: this.teamId, environments: [...this.environments], flags: this.flags() };
  }

  /** The snapshot as JSON (the flags' JSON taken as it is when packed). */
  snapshotJson(): string {
    const head = JSON.stringify({ version: this.version, teamId: this.teamId, environments: this.environments });
    return `${head.slice(0, -1)},"flags":${this.flagsJson()}}`;
  }

  /**
   * Packs the flags: JSON now, deflated on zlib's thread pool (requests go on meanwhile); `done` is called once they
   * are held packed (not when packing failed: the objects are then kept).
   */
  pack(done: () => void): void {
    if (this.objects === null || this.packing) return;
    this.packing = true;
    const objects = this.objects;
    deflateRaw(JSON.stringify(objects), { level: 1 }, (error, packed) => {
      this.packing = false;
      if (error || this.objects !== objects) return;
      this.packed = packed;
      this.objects = null;
      done();
    });
  }

  private flagsJson(): string {
    return this.objects ? JSON.stringify(this.objects) : inflateRawSync(this.packed as Buffer).toString("utf8");
  }
}

export type TenantListener = (tenant: Tenant, previous: Tenant | undefined) => void;

/** Stores below this many flags keep their flag objects (packing would save little). */
const PACK_FROM_FLAGS = 100;

export class TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();
  private readonly listeners: TenantListener[] = [];
  private readonly packedListeners: ((tenant: Tenant) => void)[] = [];
  /** Deltas waiting for the next recompile, per team. */
  private readonly pending = new Map<string, SnapshotDelta[]>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly log: Logger) {}

  get(teamId: string): Tenant | undefined {
    return this.tenants.get(teamId);
  }

  all(): IterableIterator<Tenant> {
    return this.tenants.values();
  }

  get size(): number {
    return this.tenants.size;
  }

  onChange(listener: TenantListener): void {
    this.listeners.push(listener);
  }

  /** Called when a tenant's flags were packed (the objects they replace are garbage from then on). */
  onPacked(listener: (tenant: Tenant) => void): void {
    this.packedListeners.push(listener);
  }

  /**
   * Replaces a team's store with a full snapshot, at once. An older snapshot than the one held is ignored (two
   * streams of one team may deliver the same versions); queued deltas it covers are dropped.
   */
  applySnapshot(teamId: string, snapshot: Snapshot, updatedAt = Date.now()): Tenant | undefined {
    const current = this.tenants.get(teamId);
    if (current && snapshot.version < current.version) return current;
    const queued = this.pending.get(teamId)?.filter((d) => d.version > snapshot.version);
    if (queued?.length) this.pending.set(teamId, queued);
    else this.pending.delete(teamId);
    return this.install(teamId, snapshot.environments, snapshot.flags, snapshot.version, updatedAt);
  }

  /**
   * Queues a delta on top of the team's flags; deltas arriving together are compiled once, on the next turn of
   * the event loop (`settle()` waits for it). A delta at or below the held version is a repeat.
   */
  applyDelta(teamId: string, delta: SnapshotDelta): void {
    const queue = this.pending.get(teamId);
    if (queue) queue.push(delta);
    else this.pending.set(teamId, [delta]);
    this.flushTimer ??= setTimeout(() => this.flush(), 0);
  }

  /** Applies queued deltas now. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [teamId, deltas] of [...this.pending]) {
      this.pending.delete(teamId);
      this.merge(teamId, deltas);
    }
  }

  /** Marks a team's store as current without a change (a heartbeat at the same version). */
  touch(teamId: string, updatedAt = Date.now()): void {
    const tenant = this.tenants.get(teamId);
    if (tenant) tenant.updatedAt = updatedAt;
  }

  /** Drops a team's store (no client of that team is in use any more). */
  remove(teamId: string): void {
    this.tenants.delete(teamId);
    this.pending.delete(teamId);
  }

  private merge(teamId: string, deltas: SnapshotDelta[]): void {
    const current = this.tenants.get(teamId);
    if (!current) return;
    const fresh = deltas.filter((d) => d.version > current.version);
    if (fresh.length === 0) {
      current.updatedAt = Date.now();
      return;
    }
    const flags = new Map<string, Flag>();
    for (const flag of current.flags()) flags.set(flag.key, flag);
    const keyOfId = new Map<string, string>();
    for (const flag of flags.values()) if (flag.id) keyOfId.set(flag.id, flag.key);
    let environments = current.environments;
    for (const delta of fresh) {
      for (const key of delta.deletes ?? []) flags.delete(key);
      for (const flag of delta.upserts ?? []) {
        // A flag back under a new key was renamed: its old key goes.
        const oldKey = flag.id ? keyOfId.get(flag.id) : undefined;
        if (oldKey !== undefined && oldKey !== flag.key) flags.delete(oldKey);
        flags.set(flag.key, flag);
        if (flag.id) keyOfId.set(flag.id, flag.key);
      }
      if (delta.environments) environments = delta.environments;
    }
    const version = Math.max(...fresh.map((d) => d.version));
    this.install(teamId, environments, [...flags.values()], version, Date.now());
  }

  private install(
    teamId: string,
    environments: readonly EnvironmentRef[],
    flags: readonly Flag[],
    version: number,
    updatedAt: number,
  ): Tenant | undefined {
    let compiled: Compiled;
    try {
      compiled = compile({ version, teamId, environments: [...environments], flags: [...flags] });
    } catch (error) {
      this.log.error("snapshot rejected; keeping the previous store", { teamId, version, error });
      return this.tenants.get(teamId);
    }
    if (compiled.rejected.length > 0) {
      this.log.warn("flags failed validation and are not served", { teamId, flags: compiled.rejected });
    }
    const tenant = new Tenant(
      teamId,
      environments,
      uniqueByKey(flags),
      compiled.store,
      stickyFlagsOf(flags),
      updatedAt,
    );
    const previous = this.tenants.get(teamId);
    this.tenants.set(teamId, tenant);
    for (const listener of this.listeners) listener(tenant, previous);
    if (flags.length >= PACK_FROM_FLAGS) {
      // after this turn: the caller's work with the new store (and the next requests) come first
      setTimeout(() => {
        if (this.tenants.get(teamId) !== tenant) return;
        tenant.pack(() => {
          for (const listener of this.packedListeners) listener(tenant);
        });
      }, 0);
    }
    return tenant;
  }
}

/** One flag per key, the last given winning (as a map by key kept them), in first-seen order. */
function uniqueByKey(flags: readonly Flag[]): readonly Flag[] {
  const byKey = new Map<string, Flag>();
  for (const flag of flags) byKey.set(flag.key, flag);
  return byKey.size === flags.length ? [...flags] : [...byKey.values()];
}

function stickyFlagsOf(flags: readonly Flag[]): Map<string, StickyFlag> {
  const sticky = new Map<string, StickyFlag>();
  for (const flag of flags) {
    if (!flag.sticky) continue;
    sticky.set(flag.key, {
      key: flag.key,
      id: flag.id ?? flag.key,
      bucketingKeys: new Map(flag.stages.map((s) => [s.environmentId, s.bucketingKey ?? null])),
      valueType: flag.valueType,
      variants: new Map(flag.variants.map((v) => [v.key, v.value])),
      killed: flag.killed,
      killAt: flag.killAt ?? null,
    });
  }
  return sticky;
}
