/**
 * Failed-login limiter: a sliding window of failure times per key (username, IP). In memory, per replica:
 * with N replicas an attacker gets at most N times the budget, still far below what brute force needs.
 */

export interface RateLimit {
  /** Failures allowed within the window; the next attempt is refused. */
  max: number;
  windowSeconds: number;
}

export interface LoginLimits {
  perUser: RateLimit;
  perIp: RateLimit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUser: { max: 5, windowSeconds: 15 * 60 },
  perIp: { max: 30, windowSeconds: 15 * 60 },
};

/** Keys kept at most; beyond that the oldest keys are forgotten (bounded memory under a spray attack). */
const MAX_KEYS = 100_000;

export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another attempt is allowed for `key`; 0 when allowed now. */
  retryAfter(key: string): number {
    const times = this.recent(key);
    if (times.length < this.limit.max) return 0;
    const oldest = times[times.length - this.limit.max];
    return Math.max(1, Math.ceil((oldest + this.limit.windowSeconds * 1000 - this.now()) / 1000));
  }

  fail(key: string): void {
    const times = this.recent(key);
    times.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.limit.max));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limit.windowSeconds * 1000;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}

export class LoginLimiter {
  private readonly users: FailureWindow;
  private readonly ips: FailureWindow;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.users = new FailureWindow(limits.perUser, now);
    this.ips = new FailureWindow(limits.perIp, now);
  }

  /** Seconds to wait before `username` may try again from `ip`; 0 when allowed. */
  retryAfter(username: string, ip: string | null): number {
    const user = this.users.retryAfter(username.toLowerCase());
    const fromIp = ip ? this.ips.retryAfter(ip) : 0;
    return Math.max(user, fromIp);
  }

  failed(username: string, ip: string | null): void {
    this.users.fail(username.toLowerCase());
    if (ip) this.ips.fail(ip);
  }

  /** A successful login clears the user's failures (not the IP's: one good account must not reset a spray). */
  succeeded(username: string): void {
    this.users.reset(username.toLowerCase());
  }
}
