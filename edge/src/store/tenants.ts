/**
 * The store partitioned by team: each team's snapshot, compiled, swapped whole on every update so a request
 * reads one consistent store (a single reference read). A credential only ever reaches its own team's tenant.
 */
import type { Logger } from "../log.ts";
import { type Compiled, compile, type EnvironmentRef, type Flag, type FlagStore, type Snapshot } from "./engine.ts";

/** Changes since a version: flags upserted or deleted, and the environment list when it changed. */
export interface SnapshotDelta {
  version: number;
  upserts?: Flag[];
  deletes?: string[];
  environments?: EnvironmentRef[];
}

/** What stickiness needs to know about a flag with `sticky` set. */
export interface StickyFlag {
  id: string;
  /** Environment id → the stage's bucketing key (null = default keys). */
  bucketingKeys: Map<string, string | null>;
}

export class Tenant {
  /** Epoch ms of the last update (from the backend or from disk). */
  updatedAt: number;
  constructor(
    readonly teamId: string,
    readonly snapshot: Snapshot,
    readonly store: FlagStore,
    readonly stickyFlags: ReadonlyMap<string, StickyFlag>,
    updatedAt: number,
  ) {
    this.updatedAt = updatedAt;
  }

  get version(): number {
    return this.store.version;
  }
}

export type TenantListener = (tenant: Tenant, previous: Tenant | undefined) => void;

export class TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();
  private readonly listeners: TenantListener[] = [];

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
   * Replaces a team's store with a full snapshot. An older snapshot than the one held is ignored (two
   * streams of one team may deliver the same versions). Returns the tenant now in place.
   */
  applySnapshot(teamId: string, snapshot: Snapshot, updatedAt = Date.now()): Tenant | undefined {
    const current = this.tenants.get(teamId);
    if (current && snapshot.version < current.version) return current;
    return this.install(teamId, { ...snapshot, teamId }, updatedAt);
  }

  /** Applies a delta on top of the team's snapshot; a delta at or below the held version is a repeat. */
  applyDelta(teamId: string, delta: SnapshotDelta, updatedAt = Date.now()): Tenant | undefined {
    const current = this.tenants.get(teamId);
    if (!current) return undefined;
    if (delta.version <= current.version) {
      current.updatedAt = updatedAt;
      return current;
    }
    const flags = new Map(current.snapshot.flags.map((f) => [f.key, f]));
    for (const key of delta.deletes ?? []) flags.delete(key);
    for (const flag of delta.upserts ?? []) flags.set(flag.key, flag);
    const snapshot: Snapshot = {
      version: delta.version,
      teamId,
      environments: delta.environments ?? current.snapshot.environments,
      flags: [...flags.values()],
    };
    return this.install(teamId, snapshot, updatedAt);
  }

  /** Drops a team's store (no client of that team is in use any more). */
  remove(teamId: string): void {
    this.tenants.delete(teamId);
  }

  /** Marks a team's store as current without a change (a heartbeat at the same version). */
  touch(teamId: string, updatedAt = Date.now()): void {
    const tenant = this.tenants.get(teamId);
    if (tenant) tenant.updatedAt = updatedAt;
  }

  private install(teamId: string, snapshot: Snapshot, updatedAt: number): Tenant | undefined {
    let compiled: Compiled;
    try {
      compiled = compile(snapshot);
    } catch (error) {
      this.log.error("snapshot rejected; keeping the previous store", { teamId, version: snapshot.version, error });
      return this.tenants.get(teamId);
    }
    if (compiled.rejected.length > 0) {
      this.log.warn("flags failed validation and are not served", { teamId, flags: compiled.rejected });
    }
    const tenant = new Tenant(teamId, snapshot, compiled.store, stickyFlagsOf(snapshot), updatedAt);
    const previous = this.tenants.get(teamId);
    this.tenants.set(teamId, tenant);
    for (const listener of this.listeners) listener(tenant, previous);
    return tenant;
  }
}

function stickyFlagsOf(snapshot: Snapshot): Map<string, StickyFlag> {
  const sticky = new Map<string, StickyFlag>();
  for (const flag of snapshot.flags) {
    if (!flag.sticky) continue;
    const bucketingKeys = new Map(flag.stages.map((s) => [s.environmentId, s.bucketingKey ?? null]));
    sticky.set(flag.key, { id: flag.id ?? flag.key, bucketingKeys });
  }
  return sticky;
}
