// At most `calls` calls in any window of `windowMs`, over an injected time: keeps
// the reconciler within the provider's throttle (30 calls per 10 s, a batch
// counting as one). A sliding log rather than a token bucket: a bucket that
// refills continuously lets a full burst plus its refill through within one window.
export class CallWindow {
  private readonly made: number[] = [];

  constructor(
    private readonly calls: number,
    private readonly windowMs: number,
  ) {}

  private forget(now: number): void {
    while (this.made.length > 0 && this.made[0]! <= now - this.windowMs) this.made.shift();
  }

  /** Milliseconds until a call may be made (0: now). */
  waitMs(now: number): number {
    this.forget(now);
    if (this.made.length < this.calls) return 0;
    return this.made[this.made.length - this.calls]! + this.windowMs - now;
  }

  /** Records one call; false (and nothing recorded) when the window is full. */
  take(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    this.made.push(now);
    return true;
  }
}
