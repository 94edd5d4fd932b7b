/**
 * The store partitioned by team: each team's flags, compiled, swapped whole on every update so a request reads one
 * consistent store (a single reference read). A credential only ever reaches its own team's tenant.
 *
 * Memory: besides the compiled store a tenant keeps each flag as its JSON text (about a third of the parsed
 * objects), which is what a recompile and the disk snapshot need. Deltas arriving together are applied in one
 * recompile (compiling is O(all flags), so one per delta would stall requests on a busy team).
 */
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
  constructor(
    readonly teamId: string,
    readonly environments: readonly EnvironmentRef[],
    /** Flag key → the flag as JSON text. */
    readonly flagText: ReadonlyMap<string, string>,
    readonly store: FlagStore,
    readonly stickyFlags: ReadonlyMap<string, StickyFlag>,
    updatedAt: number,
  ) {
    this.updatedAt = updatedAt;
  }

  get version(): number {
    return this.store.version;
  }

  /** The flags, parsed again from their text. */
  flags(): Flag[] {
    return Array.from(this.flagText.values(), (text) => JSON.parse(text) as Flag);
  }

  snapshot(): Snapshot {
    return { version: this.version, teamId: this.teamId, environments: [...this.environments], flags: this.flags() };
  }

  /** The snapshot as JSON, without serializing the flags again. */
  snapshotJson(): string {
    const head = JSON.stringify({ version: this.version, teamId: this.teamId, environments: this.environments });
    return `${head.slice(0, -1)},"flags":[${[...this.flagText.values()].join(",")}]}`;
  }
}

export type TenantListener = (tenant: Tenant, previous: Tenant | undefined) => void;

export class TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();
  private readonly listeners: TenantListener[] = [];
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
    const text = new Map<string, string>();
    for (const flag of flags) text.set(flag.key, JSON.stringify(flag));
    const tenant = new Tenant(teamId, environments, text, compiled.store, stickyFlagsOf(flags), updatedAt);
    const previous = this.tenants.get(teamId);
    this.tenants.set(teamId, tenant);
    for (const listener of this.listeners) listener(tenant, previous);
    return tenant;
  }
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
