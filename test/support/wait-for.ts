// The one way a test waits: poll a condition until it holds, with a deadline far
// beyond what a loaded machine needs, and fail with what was being waited for.
// Never a fixed sleep: a sleep is either too short under load or wasted time.

export interface WaitOptions {
  /** Give up after this long (default 60 s; the global test timeout is 300 s). */
  timeoutMs?: number;
  /** Pause between two checks (default 20 ms). */
  intervalMs?: number;
}

/**
 * Resolves with the first value of `check` that is neither undefined, null nor
 * false; rejects when the deadline passes. A check that throws fails at once
 * (e.g. "the process exited before writing its file"): the wait can fail early.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  { timeoutMs = 60_000, intervalMs = 20 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
