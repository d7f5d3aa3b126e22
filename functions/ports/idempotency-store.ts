// One record per (principal, unique_id): the request's fingerprint, whether it is
// in flight (with a lock that expires, so a crashed request can be taken over) or
// completed (with the response to replay), and when the record expires.
import type { AtomicWrite } from './atomic-write.ts';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export type BeginOutcome =
  /**
   * This request holds the key until its lock expires; finish with complete(), release() or abandon().
   * `resumed`: it took over a record of the same request left without an outcome (a crash, a timeout,
   * an unknown outcome), so an earlier attempt may have acted; false when the key was free.
   */
  | { kind: 'acquired'; lockToken: string; resumed: boolean }
  /** Done before with the same fingerprint: replay this. */
  | { kind: 'completed'; response: StoredResponse }
  /** Another request with the same fingerprint holds the lock until this time (epoch ms). */
  | { kind: 'in_progress'; lockExpiresAt: number }
  /** The key was used with a different request. */
  | { kind: 'fingerprint_mismatch' };

export interface IdempotencyStore {
  /**
   * Takes the key when it is unused, expired, or held by a lock that expired
   * (a crashed or timed-out request); otherwise reports what holds it. One round trip
   * in AWS, whatever the outcome.
   */
  begin(key: string, fingerprint: string, options: { now: number; lockMs: number; retentionSeconds: number }): Promise<BeginOutcome>;
  /** Stores the response to replay; a no-op if another request has since taken over the lock. */
  complete(key: string, lockToken: string, response: StoredResponse, options: { now: number; retentionSeconds: number }): Promise<void>;
  /**
   * complete() and `writes` in one step, all or nothing (one round trip in AWS: a transaction).
   * False, with nothing written, where the step was cancelled (a condition refused: another
   * request took over the lock, a write's own condition; a conflicting write; throttling) or
   * where the store has no transactions (dynalite, locally):
   * the caller then makes its writes one by one and calls complete().
   */
  completeWith(
    key: string,
    lockToken: string,
    response: StoredResponse,
    options: { now: number; retentionSeconds: number },
    writes: readonly AtomicWrite[],
  ): Promise<boolean>;
  /** Frees the key without a result (nothing happened that a retry could repeat). */
  release(key: string, lockToken: string): Promise<void>;
  /**
   * Keeps the key bound to this request (same fingerprint) without a result, and
   * lets the request's retry take it over at once: the outcome is unknown, and the
   * retry settles it rather than acting again.
   */
  abandon(key: string, lockToken: string): Promise<void>;
}
