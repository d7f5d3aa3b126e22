// One reconciliation pass at a time: a lease with an expiry, taken with a
// conditional write, so a pass that dies frees it when it expires.
export type LeaseOutcome = { acquired: true } | { acquired: false; expiresAt: number };

export interface ReconciliationLease {
  /** Takes the lease unless another holder's is still valid at `now` (epoch ms). */
  acquire(token: string, now: number, durationMs: number): Promise<LeaseOutcome>;
  /** Frees it if `token` still holds it. */
  release(token: string): Promise<void>;
}
