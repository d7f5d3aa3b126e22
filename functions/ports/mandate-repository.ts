// Where mandates live. The token is never stored: only its SHA-256 hash, as the
// key of a lookup item. Spending is one conditional write (no read-then-write),
// so concurrent agent requests can never take `spent` over `total_max`.
import type { Mandate, SpendRefusal } from '#functions/domain/mandate.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

export interface MandateRepository {
  /** Writes the mandate and the lookup item for its token's hash. */
  create(mandate: Mandate, tokenHash: string): Promise<void>;
  /** Always a strongly consistent read: a revocation is seen by the next request. */
  get(id: string): Promise<Mandate | undefined>;
  getByTokenHash(tokenHash: string): Promise<Mandate | undefined>;
  listByPayer(payerSub: string, page: PageRequest): Promise<Page<Mandate>>;
  listAll(page: PageRequest): Promise<Page<Mandate>>;
  /** Sets revoked_at unless already set; answers the stored mandate either way. */
  revoke(id: string, at: string): Promise<Mandate | undefined>;
  /**
   * Adds `amount` to spent and one to the count if the mandate is active at `nowIso`
   * and within its limits; otherwise answers which rule refused it (from a fresh read).
   */
  spend(id: string, amount: number, nowIso: string): Promise<SpendRefusal | undefined>;
  /** Gives a spend back (a declined charge, a creation that turned out never to exist). */
  release(id: string, amount: number): Promise<void>;
}
