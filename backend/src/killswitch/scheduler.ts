/** Applies due scheduled kills at start and then every `intervalMs` (reference §9.1; one replica at a time). */
import type { AppDeps } from "../deps";
import { applyDueKills } from "./service";

export const KILL_SCHEDULER_INTERVAL_MS = 15_000;

export interface KillScheduler {
  /** Runs one tick now (skipped while one is running); resolves when it is done. */
  tick(): Promise<void>;
  /** Stops the timer and waits for a running tick. */
  stop(): Promise<void>;
}

export function startKillScheduler(deps: AppDeps, intervalMs = KILL_SCHEDULER_INTERVAL_MS): KillScheduler {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= applyDueKills(deps)
      .then(
        (applied) => {
          if (applied > 0) deps.log.info("scheduled kills applied", { applied });
        },
        (err) => deps.log.warn("scheduled kill tick failed", { error: String(err) }),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
