// Checkouts: creation (run under idempotency by the handler), reads with API.md's
// visibility rules, listings, and the capture/cancel/refund actions. The provider
// is the source of truth; our copy only moves forward (domain/checkout-state.ts).
import { createHash } from 'node:crypto';
import {
  allowsAction,
  assertActionAllowed,
  fromProviderState,
  isFinal,
  mayBeAllowedAfterRefresh,
  reconcile,
  type CheckoutAction,
  type CheckoutStatus,
} from '#functions/domain/checkout-state.ts';
import {
  InvalidRequestError,
  InvalidStateError,
  NotFoundError,
  PermissionDeniedError,
  ProviderUnavailableError,
  UnknownCardTokenError,
} from '#functions/domain/errors.ts';
import { assertAppFeeWithinCap } from '#functions/domain/fees.ts';
import { couldBeAccountId, couldBeCheckoutId, idInMessage } from '#functions/domain/ids.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import {
  CheckoutAlreadyExistsError,
  ConcurrentUpdateError,
  type Checkout,
  type CheckoutRepository,
  type Page,
} from '#functions/ports/checkout-repository.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { CreateCheckoutInput as ProviderCreateCheckoutInput, PaymentProvider, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import type { TokenVault } from '#functions/ports/token-vault.ts';
import { accessTokenOf } from './merchants.ts';

export interface CheckoutDeps {
  checkouts: CheckoutRepository;
  merchants: MerchantRepository;
  provider: PaymentProvider;
  vault: TokenVault;
  clock: Clock;
  /** The URI the provider sends this checkout's IPNs to; none means no IPNs (then reads catch up on actions). */
  callbackUri?: () => Promise<string | undefined>;
}

/** What the payer asks for; `accountId` is our account id, not the provider's. */
export type CreateCheckoutInput = Omit<ProviderCreateCheckoutInput, 'callbackUri'>;

const digest = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/**
 * The unique_id sent to the provider, derived from (payer, unique_id) alone: every
 * retry of the request, from any Lambda, asks the provider for the same checkout.
 */
export function providerUniqueIdFor(payerSub: string, uniqueId: string): string {
  return `pay_${digest('provider-unique-id', payerSub, uniqueId)}`;
}

/** Our checkout id, derived the same way, so a retry after a crash finds the record it may have written. */
export function checkoutIdFor(payerSub: string, uniqueId: string): string {
  return `chk_${digest('checkout-id', payerSub, uniqueId).slice(0, 24)}`;
}

function statusOf(observed: ProviderCheckout): CheckoutStatus {
  return {
    state: fromProviderState(observed.state),
    amountRefunded: observed.amountRefunded,
    amountChargedBack: observed.amountChargedBack,
  };
}

export async function createCheckout(deps: CheckoutDeps, principal: Principal, input: CreateCheckoutInput): Promise<Checkout> {
  // Ids that cannot be ours are answered without a read (domain/ids.ts), here and below.
  const account = couldBeAccountId(input.accountId) ? await deps.merchants.getAccount(input.accountId) : undefined;
  if (!account) throw new NotFoundError(`No merchant account ${idInMessage(input.accountId, couldBeAccountId)}`, { param: 'account_id' });
  assertAppFeeWithinCap(input.amount, input.fee.appFee, 'fee.app_fee');

  const id = checkoutIdFor(principal.sub, input.uniqueId);
  const recorded = await deps.checkouts.get(id);
  if (recorded) return recorded;

  const providerUniqueId = providerUniqueIdFor(principal.sub, input.uniqueId);
  const accessToken = await accessTokenOf(deps, account.ownerSub);
  const callbackUri = await deps.callbackUri?.();
  const created = await deps.provider.createCheckout(accessToken, {
    accountId: account.providerAccountId,
    uniqueId: providerUniqueId,
    amount: input.amount,
    currency: input.currency,
    shortDescription: input.shortDescription,
    type: input.type,
    fee: input.fee,
    creditCardId: input.creditCardId,
    autoCapture: input.autoCapture,
    ...(input.referenceId === undefined ? {} : { referenceId: input.referenceId }),
    ...(callbackUri === undefined ? {} : { callbackUri }),
  }).catch((error: unknown) => {
    // API.md: a card token the provider does not know is the caller's mistake, on that field.
    if (error instanceof UnknownCardTokenError) {
      throw new InvalidRequestError('parameter_invalid', 'payment_method.credit_card.id is not a card token the provider knows', {
        param: 'payment_method.credit_card.id',
      });
    }
    throw error;
  });
  const now = new Date(deps.clock.now()).toISOString();
  const checkout: Checkout = {
    id,
    uniqueId: input.uniqueId,
    payerSub: principal.sub,
    accountId: account.id,
    ownerSub: account.ownerSub,
    amount: created.amount,
    currency: created.currency,
    shortDescription: created.shortDescription,
    type: created.type,
    ...(input.referenceId === undefined ? {} : { referenceId: input.referenceId }),
    fee: { appFee: created.appFee, feePayer: created.feePayer, processingFee: created.processingFee },
    ...statusOf(created),
    provider: { name: 'wepay', checkoutId: created.checkoutId },
    providerUniqueId,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  try {
    await deps.checkouts.create(checkout);
    return checkout;
  } catch (error) {
    if (!(error instanceof CheckoutAlreadyExistsError)) throw error;
    return (await deps.checkouts.get(id))!;
  }
}

function canView(principal: Principal, checkout: Checkout): boolean {
  return checkout.payerSub === principal.sub || checkout.ownerSub === principal.sub || hasRole(principal, 'ops');
}

function canAct(principal: Principal, checkout: Checkout): boolean {
  return (checkout.ownerSub === principal.sub && hasRole(principal, 'merchant')) || hasRole(principal, 'ops');
}

/** Anyone but the payer, the account's owner and ops is told the checkout does not exist. */
export async function getCheckout(deps: Pick<CheckoutDeps, 'checkouts'>, principal: Principal, id: string): Promise<Checkout> {
  const checkout = couldBeCheckoutId(id) ? await deps.checkouts.get(id) : undefined;
  if (!checkout || !canView(principal, checkout)) throw new NotFoundError(`No checkout ${idInMessage(id, couldBeCheckoutId)}`, { param: 'id' });
  return checkout;
}

/** Applies an observation of the provider, retrying on a concurrent writer; never moves backwards. */
async function recordObservation(deps: CheckoutDeps, checkout: Checkout, observed: CheckoutStatus): Promise<Checkout> {
  let current = checkout;
  for (let attempt = 0; attempt < 5; attempt++) {
    const merged = reconcile(current, observed);
    if (!merged.changed) return current;
    const next: Checkout = {
      ...current,
      state: merged.state,
      amountRefunded: merged.amountRefunded,
      amountChargedBack: merged.amountChargedBack,
      updatedAt: new Date(deps.clock.now()).toISOString(),
    };
    try {
      return await deps.checkouts.update(next, current.version);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      current = (await deps.checkouts.get(current.id)) ?? current;
    }
  }
  throw new ConcurrentUpdateError(checkout.id, current.version);
}

/** Fetches the checkout from the provider with its merchant's token and records what it says. */
export async function refreshFromProvider(deps: CheckoutDeps, checkout: Checkout, accessToken?: string): Promise<Checkout> {
  const token = accessToken ?? (await accessTokenOf(deps, checkout.ownerSub));
  return recordObservation(deps, checkout, statusOf(await deps.provider.getCheckout(token, checkout.provider.checkoutId)));
}

export interface CheckoutActionInput {
  action: CheckoutAction;
  reason?: string;
  /** Refunds only: a partial amount; omitted refunds everything left. */
  amount?: number;
}

export async function performCheckoutAction(deps: CheckoutDeps, principal: Principal, id: string, input: CheckoutActionInput): Promise<Checkout> {
  let checkout = couldBeCheckoutId(id) ? await deps.checkouts.get(id) : undefined;
  if (!checkout || !canView(principal, checkout)) throw new NotFoundError(`No checkout ${idInMessage(id, couldBeCheckoutId)}`, { param: 'id' });
  if (!canAct(principal, checkout)) throw new PermissionDeniedError('Only the merchant owning the account, or ops, may act on a checkout');
  const accessToken = await accessTokenOf(deps, checkout.ownerSub);
  const refresh = (current: Checkout) => refreshFromProvider(deps, current, accessToken);

  // A partial refund cannot be repeated blindly (the provider's refund has no unique_id, and two
  // equal refunds are both legitimate): read the provider's amount_refunded first, so that an
  // unknown outcome can be settled by looking rather than by refunding again.
  const partialRefund = input.action === 'refund' && input.amount !== undefined;
  // Our copy may lag the provider (IPNs arrive late): ask before refusing on stale data.
  if (
    (partialRefund && !isFinal(checkout.state)) ||
    (!allowsAction(checkout.state, input.action) && mayBeAllowedAfterRefresh(checkout.state, input.action))
  ) {
    checkout = await refresh(checkout);
  }
  assertActionAllowed(checkout, input.action, input.amount);

  let observed: ProviderCheckout;
  try {
    const providerId = checkout.provider.checkoutId;
    observed =
      input.action === 'capture'
        ? await deps.provider.captureCheckout(accessToken, providerId)
        : input.action === 'cancel'
          ? await deps.provider.cancelCheckout(accessToken, providerId, input.reason ?? '')
          : await deps.provider.refundCheckout(accessToken, providerId, input.reason ?? '', input.amount);
  } catch (error) {
    if (partialRefund && error instanceof ProviderUnavailableError) {
      // Unknown outcome: if the provider shows this refund on top of what it had, it happened.
      const observed = await deps.provider.getCheckout(accessToken, checkout.provider.checkoutId).catch(() => undefined);
      if (observed && observed.amountRefunded >= checkout.amountRefunded + input.amount!) {
        return recordObservation(deps, checkout, statusOf(observed));
      }
      throw error;
    }
    // The provider says the state does not allow it: our copy was behind; store what it is now.
    if (error instanceof InvalidStateError) {
      const fresh = await refresh(checkout);
      throw new InvalidStateError(`A ${fresh.state.replace('_', ' ')} checkout does not allow ${input.action}`);
    }
    throw error;
  }
  return recordObservation(deps, checkout, statusOf(observed));
}

export interface ListCheckoutsInput {
  accountId?: string;
  limit: number;
  cursor?: string;
}

/** Bound on index pages read to fill one filtered page; a short page still carries its cursor. */
const maxFilteredReads = 10;

/**
 * Newest first. Ops see any checkout; a merchant those of accounts they own; a
 * payer their own (narrowed to one account when asked).
 */
export async function listCheckouts(deps: Pick<CheckoutDeps, 'checkouts' | 'merchants'>, principal: Principal, input: ListCheckoutsInput): Promise<Page<Checkout>> {
  const page = { limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) };
  if (hasRole(principal, 'ops')) {
    return input.accountId ? deps.checkouts.listByAccount(input.accountId, page) : deps.checkouts.listAll(page);
  }
  if (hasRole(principal, 'merchant')) {
    if (!input.accountId) return deps.checkouts.listByOwner(principal.sub, page);
    const account = await deps.merchants.getAccount(input.accountId);
    if (!account || account.ownerSub !== principal.sub) {
      throw new NotFoundError(`No merchant account ${input.accountId}`, { param: 'account_id' });
    }
    return deps.checkouts.listByAccount(input.accountId, page);
  }
  if (!input.accountId) return deps.checkouts.listByPayer(principal.sub, page);
  // A payer's checkouts at one account: read the payer's index and keep that account's.
  const items: Checkout[] = [];
  let cursor = input.cursor;
  for (let reads = 0; reads < maxFilteredReads; reads++) {
    const next = await deps.checkouts.listByPayer(principal.sub, { limit: input.limit - items.length, ...(cursor ? { cursor } : {}) });
    items.push(...next.items.filter((c) => c.accountId === input.accountId));
    if (next.nextCursor === null) return { items, nextCursor: null };
    cursor = next.nextCursor;
    if (items.length === input.limit) break;
  }
  return { items, nextCursor: cursor ?? null };
}
