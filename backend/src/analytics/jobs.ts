/** The analytics background jobs of a backend: compaction (and sealing) every few seconds, retention at start and hourly. */
import type { AppDeps } from "../deps";
import { COMPACTION_CHUNK, compactOnce, sealOnce } from "./compaction";
import { applyRetention } from "./retention";

export const COMPACTION_INTERVAL_MS = 2_000;
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** Chunks per compaction tick, so a backlog cannot hold the tick (and a connection) for long. */
const MAX_CHUNKS_PER_TICK = 25;
/** Hours sealed per tick (catching up after downtime takes a few ticks). */
const MAX_SEALS_PER_TICK = 6;

export interface AnalyticsJobs {
  /** Stops the timers and waits for running work. */
  stop(): Promise<void>;
}

export interface AnalyticsJobOptions {
  compactionIntervalMs?: number;
  retentionIntervalMs?: number;
}

export function startAnalyticsJobs(deps: AppDeps, options: AnalyticsJobOptions = {}): AnalyticsJobs {
  let stopped = false;
  const running = new Set<Promise<void>>();
  /** Runs `work` unless stopped or already running; errors are logged, never thrown. */
  const job = (name: string, work: () => Promise<void>) => {
    let current: Promise<void> | null = null;
    return () => {
      if (stopped || current) return;
      current = work()
        .catch((err) => deps.log.warn(`analytics ${name} failed`, { error: String(err) }))
        .finally(() => {
          running.delete(current as Promise<void>);
          current = null;
        });
      running.add(current);
    };
  };
  const compact = job("compaction", async () => {
    for (let i = 0; i < MAX_CHUNKS_PER_TICK; i++) {
      if (stopped) return;
      if ((await compactOnce(deps.db)) < COMPACTION_CHUNK) break;
    }
    // after folding what was pending: a delta still waiting for a sealed hour is merged in as a late one
    for (let i = 0; i < MAX_SEALS_PER_TICK && !stopped && (await sealOnce(deps.db)); i++) {}
  });
  const retain = job("retention", async () => {
    const r = await applyRetention(deps, { stopped: () => stopped });
    if (r.events + r.rollups + r.cells + r.sketches > 0) deps.log.info("analytics retention", { ...r });
  });
  const timers = [
    setInterval(compact, options.compactionIntervalMs ?? COMPACTION_INTERVAL_MS),
    setInterval(retain, options.retentionIntervalMs ?? RETENTION_INTERVAL_MS),
  ];
  for (const t of timers) t.unref();
  retain();
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.all(running);
    },
  };
}
