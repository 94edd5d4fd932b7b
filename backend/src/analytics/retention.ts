/**
 * Retention: raw evaluation events are kept `analytics_raw_retention_days`; per-minute rollups, the cube and the
 * user sketches `analytics_rollup_retention_days`. Deleted in chunks, each its own short transaction holding the
 * retention lock — a replica that does not get it stops, so one replica at a time does the work.
 */
import type { Tx } from "@fluxgate/drizzle";
import type { AppDeps } from "../deps";
import * as repo from "./maintenance-repository";
import { DAY_MS } from "./windows";

export const RETENTION_CHUNK = 5_000;

export interface RetentionResult {
  events: number;
  rollups: number;
  cells: number;
  sketches: number;
  /** False when another replica held the lock (or the run was stopped). */
  completed: boolean;
}

export interface RetentionOptions {
  now?: number;
  chunk?: number;
  /** Checked between chunks; true ends the run early. */
  stopped?: () => boolean;
}

type Table = "events" | "rollups" | "cells" | "sketches";

export async function applyRetention(deps: AppDeps, options: RetentionOptions = {}): Promise<RetentionResult> {
  const now = options.now ?? Date.now();
  const chunk = options.chunk ?? RETENTION_CHUNK;
  const rawCutoff = new Date(now - deps.config.analyticsRawRetentionDays * DAY_MS);
  const rollupCutoff = new Date(now - deps.config.analyticsRollupRetentionDays * DAY_MS);
  const result: RetentionResult = { events: 0, rollups: 0, cells: 0, sketches: 0, completed: false };

  /** Deletes chunk after chunk until one comes back short; false when the lock was elsewhere or we stopped. */
  const drain = async (table: Table, step: (tx: Tx) => Promise<number>): Promise<boolean> => {
    for (;;) {
      if (options.stopped?.()) return false;
      const n = await deps.db.transaction(async (tx) => ((await repo.tryJobLock(tx, "retention")) ? step(tx) : -1));
      if (n < 0) return false;
      result[table] += n;
      if (n < chunk) return true;
    }
  };

  for (const teamId of await repo.teamIds(deps.db)) {
    if (!(await drain("events", (tx) => repo.deleteOldEvents(tx, teamId, rawCutoff, chunk)))) return result;
    if (!(await drain("rollups", (tx) => repo.deleteOldRollups(tx, teamId, rollupCutoff, chunk)))) return result;
  }
  if (!(await drain("cells", (tx) => repo.deleteOldCells(tx, "cube", rollupCutoff, chunk)))) return result;
  result.completed = await drain("sketches", (tx) => repo.deleteOldCells(tx, "sketches", rollupCutoff, chunk));
  return result;
}
