// Where checkouts live. Every write is a single-item conditional write: create only
// if absent, update only if the version read is still the stored one. The one
// exception, in AWS only (dynalite, the local DynamoDB, has no transactions): a
// created checkout's writes go with its request's stored answer (createdWrites).
import type { Checkout, CreationIntent } from '#functions/domain/checkout.ts';
import type { AtomicWrite } from './atomic-write.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

/** What the reconciler watches: checkouts that may still change, and creations left unknown. */
export type OpenEntry = { kind: 'checkout'; checkoutId: string } | { kind: 'creation'; intent: CreationIntent };

export interface CheckoutRepository {
  /** @throws CheckoutAlreadyExistsError */
  create(checkout: Checkout): Promise<void>;
  get(id: string): Promise<Checkout | undefined>;
  /** By the provider's name (PaymentProvider.name) and its id for the checkout. */
  getByProviderCheckoutId(provider: string, providerCheckoutId: string): Promise<Checkout | undefined>;
  /**
   * Replaces the stored checkout if its version is still `expectedVersion`,
   * and returns what was stored (version `expectedVersion + 1`).
   * @throws ConcurrentUpdateError
   */
  update(checkout: Checkout, expectedVersion: number): Promise<Checkout>;
  /**
   * Listings, newest first (ties on createdAt broken by id). Eventually
   * consistent in AWS (indexes).
   * @throws InvalidRequestError `parameter_invalid` with param `cursor` (malformed cursor) or `limit` (outside 1–100)
   */
  listByAccount(accountId: string, page: PageRequest): Promise<Page<Checkout>>;
  listByPayer(payerSub: string, page: PageRequest): Promise<Page<Checkout>>;
  listByOwner(ownerSub: string, page: PageRequest): Promise<Page<Checkout>>;
  listAll(page: PageRequest): Promise<Page<Checkout>>;

  /** Up to 100 checkouts by id, in no particular order; missing ones are left out. */
  getMany(ids: readonly string[]): Promise<Checkout[]>;
  /**
   * Written before the provider is asked to create the checkout. Records the intent unless one
   * is already recorded for this checkout (a retry of a creation whose outcome is unknown keeps
   * the first one). True when this call recorded it.
   */
  recordCreationIntent(intent: CreationIntent): Promise<boolean>;
  /** The creation is settled (recorded, or known not to exist at the provider). */
  clearCreationIntent(checkoutId: string): Promise<void>;
  /**
   * What create(), watch() (when `watch`) and clearCreationIntent() write for a checkout a
   * request created, as writes for IdempotencyStore.completeWith: stored with the request's
   * answer in one step. The checkout's write is refused if it is stored already.
   */
  createdWrites(checkout: Checkout, options: { watch: boolean }): readonly AtomicWrite[];
  /** Marks a checkout for the reconciler's attention (non-final, or with an action in flight); idempotent. */
  watch(checkoutId: string): Promise<void>;
  unwatch(checkoutId: string): Promise<void>;
  /** The watched checkouts and the open creation intents, a page at a time (oldest checkout ids first). */
  listOpen(page: { limit: number; cursor?: string }): Promise<Page<OpenEntry>>;
}
