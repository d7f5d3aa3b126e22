// Where checkouts live. Every write is a single-item conditional write (dynalite,
// the local DynamoDB, has no transactions): create only if absent, update only
// if the version read is still the stored one.
import type { CheckoutState } from '#functions/domain/checkout-state.ts';
import type { Currency } from '#functions/domain/money.ts';
import type { CheckoutType, FeePayer } from '#functions/ports/payment-provider.ts';

export interface Checkout {
  /** 'chk_' + random. */
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
  fee: { appFee: number; feePayer: FeePayer; processingFee: number };
  state: CheckoutState;
  amountRefunded: number;
  amountChargedBack: number;
  provider: { name: 'wepay'; checkoutId: string };
  /** The unique_id we sent the provider, derived from (payer, unique_id). */
  providerUniqueId: string;
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
}
