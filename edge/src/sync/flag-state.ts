/** The flags a sync client holds: by key, with ids to notice renames, at a version. */
import type { EnvironmentRef, Flag, Snapshot } from "@fluxgate/engine";

export class FlagState {
  version = 0;
  private complete = false;
  private teamId: string | undefined;
  private environments: EnvironmentRef[] = [];
  private readonly byKey = new Map<string, Flag>();
  private readonly keyOfId = new Map<string, string>();

  replace(snapshot: Snapshot): void {
    this.byKey.clear();
    this.keyOfId.clear();
    for (const flag of snapshot.flags) this.put(flag);
    this.environments = snapshot.environments;
    this.teamId = snapshot.teamId;
    this.version = snapshot.version;
    this.complete = true;
  }

  clear(): void {
    this.byKey.clear();
    this.keyOfId.clear();
    this.complete = false;
    this.version = 0;
  }

  /**
   * Applies a change set; returns it as the edge should apply it: a flag that came back under a new key
   * (renamed) also deletes its old key.
   */
  apply(
    upserts: Flag[],
    deletes: { key: string; id: string }[],
    version: number,
  ): { upserts: Flag[]; deletes: string[] } {
    const removed = new Set<string>();
    for (const { key, id } of deletes) {
      const current = this.byKey.get(key);
      // a DELETE names the key the flag had; if another flag holds that key now, leave it
      if (current && id && current.id && current.id !== id) continue;
      this.byKey.delete(key);
      if (current?.id) this.keyOfId.delete(current.id);
      removed.add(key);
    }
    for (const flag of upserts) {
      const oldKey = flag.id ? this.keyOfId.get(flag.id) : undefined;
      if (oldKey !== undefined && oldKey !== flag.key && this.byKey.get(oldKey)?.id === flag.id) {
        this.byKey.delete(oldKey);
        removed.add(oldKey);
      }
      this.put(flag);
      removed.delete(flag.key);
    }
    this.version = Math.max(this.version, version);
    return { upserts, deletes: [...removed] };
  }

  snapshot(): Snapshot | null {
    if (!this.complete) return null;
    return {
      version: this.version,
      teamId: this.teamId,
      environments: this.environments,
      flags: [...this.byKey.values()],
    };
  }

  private put(flag: Flag): void {
    this.byKey.set(flag.key, flag);
    if (flag.id) this.keyOfId.set(flag.id, flag.key);
  }
}
