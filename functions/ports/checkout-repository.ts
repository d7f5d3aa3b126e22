// Where checkouts live. Every write is a single-item conditional write (dynalite,
// the local DynamoDB, has no transactions): create only if absent, update only
// if the version read is still the stored one.
import type { CheckoutChange } from '#functions/domain/checkout-changes.ts';
import type { CheckoutState } from '#functions/domain/checkout-state.ts';
import type { RecordedAction } from '#functions/domain/recorded-actions.ts';
import type { Currency } from '#functions/domain/money.ts';
import type { CheckoutType, FeePayer } from '#functions/ports/payment-provider.ts';

export interface Checkout {
  /** 'chk_' + a digest of (payer or mandate, unique_id): a retry finds the record (checkoutIdFor). */
  id: string;
  /** The client's unique_id (idempotency key, per payer). */
  uniqueId: string;
  payerSub: string;
  accountId: string;
  /** The `sub` of the merchant user owning the account, copied here so listing by owner needs no join. */
  ownerSub: string;
  amount: number;
  currency: Currency;
  shortDescription: string;
  type: CheckoutType;
  referenceId?: string;
  /** Set when an agent created it under a mandate (the API's `agent`). */
  agent?: { mandateId: string; name: string };
  fee: { appFee: number; feePayer: FeePayer; processingFee: number };
  state: CheckoutState;
  amountRefunded: number;
  amountChargedBack: number;
  provider: { name: 'wepay'; checkoutId: string };
  /** The unique_id we sent the provider, derived from (payer, unique_id). */
  providerUniqueId: string;
  /** Captures, cancels and refunds asked through the API, oldest first; at most one pending. */
  actions: RecordedAction[];
  /** The event-ready record of recent changes (domain/checkout-changes.ts). */
  changes: CheckoutChange[];
  /** ISO-8601: when the provider's view was last read (the reconciler re-reads stale ones). */
  lastReadAt?: string;
  /** ISO-8601 UTC, as from `Date.prototype.toISOString` (listings sort on it). */
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: starts at 1, each successful update adds one. */
  version: number;
}

export interface PageRequest {
  /** 1–100. */
  limit: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null when there is nothing after this page. */
  nextCursor: string | null;
}

export class CheckoutAlreadyExistsError extends Error {
  override readonly name = 'CheckoutAlreadyExistsError';
  constructor(readonly checkoutId: string) {
    super(`Checkout ${checkoutId} already exists`);
  }
}

/** The checkout changed (or vanished) since it was read: read it again and reapply the change. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  constructor(
    readonly checkoutId: string,
    readonly expectedVersion: number,
  ) {
    super(`Checkout ${checkoutId} is no longer at version ${expectedVersion}`);
  }
}

/**
 * A creation recorded before the provider is called, so that one whose answer was
 * lost and never retried can be found by the reconciler (at the provider, by the
 * provider unique_id) and settled.
 */
export interface CreationIntent {
  checkoutId: string;
  uniqueId: string;
  payerSub: string;
  accountId: string;
  ownerSub: string;
  providerAccountId: string;
  providerUniqueId: string;
  referenceId?: string;
  /** An agent's creation: the mandate spending it holds, released if the creation never happened. */
  mandate?: { id: string; name: string; amount: number };
  createdAt: string;
  /** Epoch ms: until then the creating request may still be running. */
  expiresAt: number;
}

/** What the reconciler watches: checkouts that may still change, and creations left unknown. */
export type OpenEntry = { kind: 'checkout'; checkoutId: string } | { kind: 'creation'; intent: CreationIntent };

export interface CheckoutRepository {
  /** @throws CheckoutAlreadyExistsError */
  create(checkout: Checkout): Promise<void>;
  get(id: string): Promise<Checkout | undefined>;
  getByProviderCheckoutId(providerCheckoutId: string): Promise<Checkout | undefined>;
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
  /** Written before the provider is asked to create the checkout; idempotent. */
  /**
   * Records the intent unless one is already recorded for this checkout (a retry of a
   * creation whose outcome is unknown keeps the first one). True when this call recorded it.
   */
  recordCreationIntent(intent: CreationIntent): Promise<boolean>;
  /** The creation is settled (recorded, or known not to exist at the provider). */
  clearCreationIntent(checkoutId: string): Promise<void>;
  /** Marks a checkout for the reconciler's attention (non-final, or with an action in flight); idempotent. */
  watch(checkoutId: string): Promise<void>;
  unwatch(checkoutId: string): Promise<void>;
  /** The watched checkouts and the open creation intents, a page at a time (oldest checkout ids first). */
  listOpen(page: { limit: number; cursor?: string }): Promise<Page<OpenEntry>>;
}
