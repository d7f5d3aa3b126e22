// The checkout entity: our record of one payment, its copy of the provider's
// view, and what the API asked of it.
import type { CheckoutChange } from './checkout-changes.ts';
import type { CheckoutState } from './checkout-state.ts';
import type { FeePayer } from './fees.ts';
import type { Currency } from './money.ts';
import type { RecordedAction } from './recorded-actions.ts';

/** The API's checkout `type`: what is being paid for (the provider's adapter maps it to its own vocabulary). */
export const checkoutTypes = ['goods', 'service', 'donation', 'event', 'personal'] as const;
export type CheckoutType = (typeof checkoutTypes)[number];

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
  /** The provider holding the payment (its adapter's `name`) and the provider's id for it. */
  provider: { name: string; checkoutId: string };
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
