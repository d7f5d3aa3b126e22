// Sliding-window throttling: at most `calls` accepted calls per `window_s`
// seconds per key (the app, or one merchant account).

export interface ThrottleLimit {
  calls: number;
  window_s: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class Throttle {
  private readonly accepted = new Map<string, number[]>();

  constructor(private limit: ThrottleLimit | null) {}

  get current(): ThrottleLimit | null {
    return this.limit;
  }

  /** A new limit (or null for none) applies from now on; past calls are forgotten. */
  configure(limit: ThrottleLimit | null): void {
    this.limit = limit;
    this.accepted.clear();
  }

  /** Admits one call only if every key is under its limit; an admitted call counts against all of them. */
  admit(keys: string[], now: number): ThrottleDecision {
    const limit = this.limit;
    if (!limit) return { allowed: true };
    const windowMs = limit.window_s * 1000;
    let retryAfterMs = 0;
    for (const key of keys) {
      const times = (this.accepted.get(key) ?? []).filter((at) => at > now - windowMs);
      this.accepted.set(key, times);
      if (times.length >= limit.calls) {
        retryAfterMs = Math.max(retryAfterMs, (times[0] ?? now) + windowMs - now);
      }
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterSeconds: retryAfterMs / 1000 };
    for (const key of keys) this.accepted.get(key)?.push(now);
    return { allowed: true };
  }
}
