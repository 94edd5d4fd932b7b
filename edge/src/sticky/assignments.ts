/**
 * Sticky assignments (reference §4.4, fixed per §12 bugs 17 and 18): once a user got a flag on (or a variant)
 * in an environment, later requests get the same answer with its original reason, for flags with `sticky` set.
 * A kill purges them. Memory is bounded: past `maxEntries` the oldest assignment is forgotten.
 */
import type { EvaluationResult, StickyFlag, Tenant } from "../store/index.ts";
import type { StoredAssignment } from "../upstream/types.ts";

const SEP = "\u0000";

interface Entry {
  teamId: string;
  flagKey: string;
  result: EvaluationResult;
}

export class StickyAssignments {
  /** `team \0 flag \0 environment \0 user` → the answer first given. Insertion order = age. */
  private readonly entries = new Map<string, Entry>();
  /** Per team: assignments not yet sent to the backend. */
  private readonly pending = new Map<string, StoredAssignment[]>();
  private pendingCount = 0;
  evictedTotal = 0;
  droppedPendingTotal = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get pendingSize(): number {
    return this.pendingCount;
  }

  lookup(teamId: string, flagKey: string, environmentId: string, user: string): EvaluationResult | undefined {
    if (this.entries.size === 0) return undefined;
    return this.entries.get(teamId + SEP + flagKey + SEP + environmentId + SEP + user)?.result;
  }

  /** Remembers an answer and queues it for the backend. */
  remember(
    teamId: string,
    flagKey: string,
    featureId: string,
    environmentId: string,
    user: string,
    result: EvaluationResult,
  ): void {
    if (this.maxEntries === 0) return;
    this.put(teamId, flagKey, environmentId, user, result);
    this.queue(teamId, { userId: user, featureId, environmentId, assigned: true, variant: result.variant });
  }

  /** Forgets every assignment of a flag (killed or deleted); tells the backend to forget them too. */
  purgeFlag(teamId: string, flagKey: string, featureId: string): number {
    const prefix = teamId + SEP + flagKey + SEP;
    let purged = 0;
    for (const [key, entry] of this.entries) {
      if (entry.teamId !== teamId || entry.flagKey !== flagKey || !key.startsWith(prefix)) continue;
      this.entries.delete(key);
      const [environmentId, userId] = key.slice(prefix.length).split(SEP);
      this.queue(teamId, { userId, featureId, environmentId, assigned: false, variant: "" });
      purged++;
    }
    return purged;
  }

  /** After a store swap: purges the assignments of sticky flags now killed (or due), deleted or no longer sticky. */
  reconcile(tenant: Tenant, previous: Tenant | undefined, now = Date.now()): void {
    if (!previous) return;
    for (const old of previous.stickyFlags.values()) {
      const flag = tenant.stickyFlags.get(old.key);
      if (!flag || isKilled(flag, now)) this.purgeFlag(tenant.teamId, old.key, old.id);
    }
  }

  /** Purges flags whose scheduled kill has come due (no update arrives for that). */
  purgeDue(tenant: Tenant, now = Date.now()): void {
    for (const flag of tenant.stickyFlags.values()) {
      if (flag.killAt !== null && flag.killAt <= now) this.purgeFlag(tenant.teamId, flag.key, flag.id);
    }
  }

  /** Loads the team's assignments from the backend (ListUserAssignments) for its sticky, live flags. */
  warm(tenant: Tenant, assignments: readonly StoredAssignment[], now = Date.now()): number {
    const byId = new Map<string, StickyFlag>();
    for (const flag of tenant.stickyFlags.values()) byId.set(flag.id, flag);
    let loaded = 0;
    for (const a of assignments) {
      const flag = byId.get(a.featureId);
      if (!a.assigned || !flag || isKilled(flag, now)) continue;
      const result = assignedResult(flag, a.variant);
      if (!result) continue;
      this.put(tenant.teamId, flag.key, a.environmentId, a.userId, result);
      loaded++;
    }
    return loaded;
  }

  /** Takes the team's queued assignments (to send); `requeue` puts them back after a failed send. */
  drain(teamId: string): StoredAssignment[] {
    const rows = this.pending.get(teamId) ?? [];
    this.pending.delete(teamId);
    this.pendingCount -= rows.length;
    return rows;
  }

  requeue(teamId: string, rows: StoredAssignment[]): void {
    for (const row of rows) this.queue(teamId, row);
  }

  teamsWithPending(): string[] {
    return [...this.pending.keys()];
  }

  private put(teamId: string, flagKey: string, environmentId: string, user: string, result: EvaluationResult): void {
    const key = teamId + SEP + flagKey + SEP + environmentId + SEP + user;
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
      this.evictedTotal++;
    }
    this.entries.set(key, { teamId, flagKey, result });
  }

  private queue(teamId: string, row: StoredAssignment): void {
    if (this.pendingCount >= this.maxEntries) {
      this.droppedPendingTotal++;
      return;
    }
    const rows = this.pending.get(teamId);
    if (rows) rows.push(row);
    else this.pending.set(teamId, [row]);
    this.pendingCount++;
  }
}

function isKilled(flag: StickyFlag, now: number): boolean {
  return flag.killed || (flag.killAt !== null && flag.killAt <= now);
}

/** The answer for a stored assignment: booleans are on; a variant must still exist. */
function assignedResult(flag: StickyFlag, variant: string): EvaluationResult | undefined {
  if (flag.valueType === "boolean") return { enabled: true, value: true, variant: "on", reason: "TARGETING_MATCH" };
  return flag.variants.has(variant)
    ? { enabled: true, value: flag.variants.get(variant)!, variant, reason: "TARGETING_MATCH" }
    : undefined;
}
