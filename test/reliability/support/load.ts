/**
 * Open-loop load: requests are started on a fixed schedule (`rate` per second) whatever the server does, so a
 * stalled server shows up as errors and latency instead of silently slowing the generator down. Latency is
 * measured from the scheduled start (no coordinated omission). Requests beyond `maxInFlight` are not sent
 * and are counted as `skipped` (an overloaded generator, reported, never hidden).
 */

export interface LoadTarget {
  /** Sends request number `i`; returns null when the answer is right, else a short description of what was wrong. */
  send(i: number): Promise<string | null>;
}

export interface LoadStats {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  skipped: number;
  /** Error description → count (first ones kept with a timestamp in `firstErrors`). */
  errorKinds: Record<string, number>;
  firstErrors: { atMs: number; error: string }[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  achievedRate: number;
}

export interface RunningLoad {
  /** Stats so far (the run goes on). */
  snapshot(): LoadStats;
  /** Stops scheduling, waits for requests in flight, returns the totals. */
  stop(): Promise<LoadStats>;
}

const TICK_MS = 5;

export function startLoad(target: LoadTarget, options: { rate: number; maxInFlight?: number }): RunningLoad {
  const { rate } = options;
  const maxInFlight = options.maxInFlight ?? Math.max(256, rate * 2);
  const started = performance.now();
  let scheduled = 0;
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  let stopped = false;
  const errorKinds: Record<string, number> = {};
  const firstErrors: { atMs: number; error: string }[] = [];
  // latency histogram in 0.1 ms buckets up to 10 s, then one overflow bucket
  const buckets = new Uint32Array(100_001);
  let maxMs = 0;
  const idle = Promise.withResolvers<void>();

  const fail = (error: string) => {
    errors++;
    errorKinds[error] = (errorKinds[error] ?? 0) + 1;
    if (firstErrors.length < 20) firstErrors.push({ atMs: Math.round(performance.now() - started), error });
  };

  const fire = (i: number, dueAt: number) => {
    if (inFlight >= maxInFlight) {
      skipped++;
      return;
    }
    inFlight++;
    sent++;
    target
      .send(i)
      .then(
        (problem) => {
          if (problem === null) ok++;
          else fail(problem);
        },
        (error) => fail(`network: ${error instanceof Error ? error.message.slice(0, 80) : String(error)}`),
      )
      .finally(() => {
        const ms = performance.now() - dueAt;
        if (ms > maxMs) maxMs = ms;
        buckets[Math.min(100_000, Math.floor(ms * 10))]++;
        inFlight--;
        if (stopped && inFlight === 0) idle.resolve();
      });
  };

  const timer = setInterval(() => {
    const now = performance.now();
    const due = Math.floor(((now - started) / 1000) * rate);
    while (scheduled < due) {
      const dueAt = started + (scheduled / rate) * 1000;
      fire(scheduled, dueAt);
      scheduled++;
    }
  }, TICK_MS);

  const quantile = (q: number) => {
    const total = buckets.reduce((a, b) => a + b, 0);
    if (total === 0) return 0;
    let seen = 0;
    for (let b = 0; b < buckets.length; b++) {
      seen += buckets[b];
      if (seen >= q * total) return b / 10;
    }
    return maxMs;
  };

  const snapshot = (): LoadStats => {
    const seconds = (performance.now() - started) / 1000;
    return {
      rate,
      seconds: Math.round(seconds * 10) / 10,
      sent,
      ok,
      errors,
      skipped,
      errorKinds: { ...errorKinds },
      firstErrors: [...firstErrors],
      p50Ms: quantile(0.5),
      p99Ms: quantile(0.99),
      maxMs: Math.round(maxMs * 10) / 10,
      achievedRate: Math.round(sent / Math.max(seconds, 0.001)),
    };
  };

  return {
    snapshot,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (inFlight > 0) await Promise.race([idle.promise, Bun.sleep(15_000)]);
      return snapshot();
    },
  };
}

/** One line for logs and reports. */
export function formatLoad(s: LoadStats): string {
  const kinds = Object.entries(s.errorKinds)
    .map(([k, n]) => `${k} ×${n}`)
    .join("; ");
  return (
    `${s.sent} requests in ${s.seconds} s (${s.achievedRate}/s of ${s.rate}/s asked), ${s.ok} ok, ${s.errors} errors` +
    `${s.skipped ? `, ${s.skipped} skipped (generator at max in flight)` : ""}, latency p50 ${s.p50Ms} ms, ` +
    `p99 ${s.p99Ms} ms, max ${s.maxMs} ms${kinds ? ` — ${kinds}` : ""}`
  );
}

/** `/evaluate` load against `urls` (round-robin) from a Worker thread. */
export function startLoadInWorker(options: { urls: string[]; keys: string[]; rate: number; envName?: string }) {
  const worker = new Worker(new URL("./load-worker.ts", import.meta.url).href);
  const waiting = new Map<string, (stats: LoadStats) => void>();
  worker.onmessage = (event: MessageEvent) => {
    const { type, stats } = event.data as { type: string; stats: LoadStats };
    waiting.get(type)?.(stats);
    waiting.delete(type);
  };
  const ask = (type: "snapshot" | "stop", reply: string) =>
    new Promise<LoadStats>((resolve) => {
      waiting.set(reply, resolve);
      worker.postMessage({ type });
    });
  worker.postMessage({ type: "start", envName: "prod", ...options });
  return {
    snapshot: () => ask("snapshot", "snapshot"),
    stop: async () => {
      const stats = await ask("stop", "stopped");
      worker.terminate();
      return stats;
    },
  };
}

/** Sums the stats of several generators run side by side (latencies: the worst of them). */
export function combineLoad(all: LoadStats[]): LoadStats {
  const sum = (f: (s: LoadStats) => number) => all.reduce((a, s) => a + f(s), 0);
  const errorKinds: Record<string, number> = {};
  for (const s of all) for (const [k, n] of Object.entries(s.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  return {
    rate: sum((s) => s.rate),
    seconds: Math.max(...all.map((s) => s.seconds)),
    sent: sum((s) => s.sent),
    ok: sum((s) => s.ok),
    errors: sum((s) => s.errors),
    skipped: sum((s) => s.skipped),
    errorKinds,
    firstErrors: all.flatMap((s) => s.firstErrors).slice(0, 20),
    p50Ms: Math.max(...all.map((s) => s.p50Ms)),
    p99Ms: Math.max(...all.map((s) => s.p99Ms)),
    maxMs: Math.max(...all.map((s) => s.maxMs)),
    achievedRate: sum((s) => s.achievedRate),
  };
}
