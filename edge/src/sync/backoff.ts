/** Capped exponential backoff with full jitter: a random delay in [0, min(max, initial·2ⁿ)). */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function jitteredDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** The delay after a refusal (bad or disabled credentials): the maximum, lightly jittered so edges spread out. */
export function refusalDelay(policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.floor(policy.maxMs * (0.8 + 0.2 * random()));
}
