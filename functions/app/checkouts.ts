// Checkouts: creation (run under idempotency by the handler), reads with the API contract's
// visibility rules and listings. Actions live in checkout-actions.ts, the shared
// records in checkout-records.ts. The provider is the source of truth; our copy
// only moves forward (domain/checkout-state.ts).
import { withChange } from '#functions/domain/checkout-changes.ts';
import { isFinal } from '#functions/domain/checkout-state.ts';
import { CardDeclinedError, InvalidRequestError, NotFoundError, PaymentsError, ProviderUnavailableError, UnknownCardTokenError } from '#functions/domain/errors.ts';
import { assertAppFeeWithinCap } from '#functions/domain/fees.ts';
import { couldBeAccountId, couldBeCheckoutId, idInMessage } from '#functions/domain/ids.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import { CheckoutAlreadyExistsError, type Checkout, type CreationIntent, type Page } from '#functions/ports/checkout-repository.ts';
import type { CreateCheckoutInput as ProviderCreateCheckoutInput, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import {
  canView,
  checkoutIdFor,
  defaultIntentLeaseMs,
  isoAt,
  providerUniqueIdFor,
  recordObservation,
  statusOf,
  type CheckoutDeps,
} from './checkout-records.ts';
import { agentMandateFor, releaseMandateSpend, spendMandate } from './mandate-spending.ts';
import { accessTokenOf } from './merchants.ts';
import { checkVelocity, recordCreate, recordDecline } from './velocity.ts';

export { actionIdFor, checkoutIdFor, providerUniqueIdFor, type CheckoutDeps } from './checkout-records.ts';
export { performCheckoutAction, type CheckoutActionInput } from './checkout-actions.ts';

/** What the payer asks for; `accountId` is our account id, not the provider's. */
export type CreateCheckoutInput = Omit<ProviderCreateCheckoutInput, 'callbackUri'> & {
  /** The caller's address, for the per-IP velocity limit. */
  sourceIp?: string;
};

/** Our record of a checkout the provider created (by a request, or found by the reconciler). */
export function checkoutFromProvider(intent: CreationIntent, created: ProviderCheckout, now: string, source: 'api' | 'reconciler' = 'api'): Checkout {
  const checkout: Checkout = {
    id: intent.checkoutId,
    uniqueId: intent.uniqueId,
    payerSub: intent.payerSub,
    accountId: intent.accountId,
    ownerSub: intent.ownerSub,
    amount: created.amount,
    currency: created.currency,
    shortDescription: created.shortDescription,
    type: created.type,
    ...(intent.referenceId === undefined ? {} : { referenceId: intent.referenceId }),
    ...(intent.mandate === undefined ? {} : { agent: { mandateId: intent.mandate.id, name: intent.mandate.name } }),
    fee: { appFee: created.appFee, feePayer: created.feePayer, processingFee: created.processingFee },
    ...statusOf(created),
    provider: { name: 'wepay', checkoutId: created.checkoutId },
    providerUniqueId: intent.providerUniqueId,
    actions: [],
    changes: [],
    lastReadAt: now,
    createdAt: intent.createdAt,
    updatedAt: now,
    version: 1,
  };
  return withChange(undefined, checkout, { version: 1, at: now, source });
}

/** Stores a checkout the provider created, watched by the reconciler while it may change; the creation is then settled. */
export async function recordCreated(deps: Pick<CheckoutDeps, 'checkouts'>, checkout: Checkout): Promise<Checkout> {
  if (!isFinal(checkout.state)) await deps.checkouts.watch(checkout.id);
  let stored = checkout;
  try {
    await deps.checkouts.create(checkout);
  } catch (error) {
    if (!(error instanceof CheckoutAlreadyExistsError)) throw error;
    stored = (await deps.checkouts.get(checkout.id))!;
  }
  await deps.checkouts.clearCreationIntent(checkout.id);
  return stored;
}

export async function createCheckout(deps: CheckoutDeps, principal: Principal, input: CreateCheckoutInput): Promise<Checkout> {
  // An agent: its mandate's status and scope (401/403) come before anything else here; its card is the mandate's.
  const mandate = await agentMandateFor(deps, principal, input);
  if (mandate) input = { ...input, creditCardId: mandate.creditCardId, autoCapture: true, fee: { appFee: 0, feePayer: 'payee_from_app' } };
  // An agent's namespace is its mandate: ids and provider unique_ids derive from (mandate, unique_id).
  const namespace = mandate?.id ?? principal.sub;
  // Ids that cannot be ours are answered without a read (domain/ids.ts), here and below.
  const account = couldBeAccountId(input.accountId) ? await deps.merchants.getAccount(input.accountId) : undefined;
  if (!account) throw new NotFoundError(`No merchant account ${idInMessage(input.accountId, couldBeAccountId)}`, { param: 'account_id' });
  assertAppFeeWithinCap(input.amount, input.fee.appFee, 'fee.app_fee');

  const id = checkoutIdFor(namespace, input.uniqueId);
  const recorded = await deps.checkouts.get(id);
  if (recorded) return recorded;

  const providerUniqueId = providerUniqueIdFor(namespace, input.uniqueId);
  const accessToken = await accessTokenOf(deps, account.ownerSub);
  const callbackUri = await deps.callbackUri?.();
  // Recorded before the provider is called: a creation whose answer is lost and never
  // retried is then found and settled by the reconciler.
  const intent: CreationIntent = {
    checkoutId: id,
    uniqueId: input.uniqueId,
    payerSub: principal.sub,
    accountId: account.id,
    ownerSub: account.ownerSub,
    providerAccountId: account.providerAccountId,
    providerUniqueId,
    ...(input.referenceId === undefined ? {} : { referenceId: input.referenceId }),
    ...(mandate ? { mandate: { id: mandate.id, name: mandate.agent.name, amount: input.amount } } : {}),
    createdAt: isoAt(deps.clock),
    expiresAt: deps.clock.now() + (deps.intentLeaseMs ?? defaultIntentLeaseMs),
  };
  const firstAttempt = await deps.checkouts.recordCreationIntent(intent);
  // Velocity limits apply to a first attempt only: a retry of a creation whose outcome is
  // unknown is neither limited nor counted again (it may already have charged).
  const velocitySubject = { payer: namespace, cardToken: input.creditCardId, sourceIp: input.sourceIp ?? '' };
  if (firstAttempt && deps.velocity) {
    await checkVelocity(deps.velocity, velocitySubject).catch(async (error: unknown) => {
      await deps.checkouts.clearCreationIntent(id);
      throw error;
    });
    await recordCreate(deps.velocity, velocitySubject);
  }
  // The mandate's spending, in one conditional write, on a first attempt only: a retry's is held already.
  if (firstAttempt && mandate) await spendMandate(deps, mandate, input.amount, id);
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
  }).catch(async (error: unknown) => {
    // A definite refusal (a decline, throttling, a rejected call) created nothing: nothing to settle.
    if (error instanceof PaymentsError && !(error instanceof ProviderUnavailableError)) {
      await deps.checkouts.clearCreationIntent(id);
      // Nothing was created: a declined (or refused) charge gives its amount and count back.
      if (mandate) await releaseMandateSpend(deps, mandate.id, input.amount);
    }
    if (error instanceof CardDeclinedError && deps.velocity) await recordDecline(deps.velocity, velocitySubject);
    // A card token the provider does not know is the caller's mistake, on that field.
    if (error instanceof UnknownCardTokenError) {
      throw new InvalidRequestError('parameter_invalid', 'payment_method.credit_card.id is not a card token the provider knows', {
        param: 'payment_method.credit_card.id',
      });
    }
    throw error;
  });
  return recordCreated(deps, checkoutFromProvider(intent, created, isoAt(deps.clock)));
}

/** Anyone but the payer, the account's owner and ops is told the checkout does not exist. */
export async function getCheckout(deps: Pick<CheckoutDeps, 'checkouts'>, principal: Principal, id: string): Promise<Checkout> {
  const checkout = couldBeCheckoutId(id) ? await deps.checkouts.get(id) : undefined;
  if (!checkout || !canView(principal, checkout)) throw new NotFoundError(`No checkout ${idInMessage(id, couldBeCheckoutId)}`, { param: 'id' });
  return checkout;
}

/** Fetches the checkout from the provider with its merchant's token and records what it says. */
export async function refreshFromProvider(deps: CheckoutDeps, checkout: Checkout, accessToken?: string): Promise<Checkout> {
  const token = accessToken ?? (await accessTokenOf(deps, checkout.ownerSub));
  return recordObservation(deps, checkout, statusOf(await deps.provider.getCheckout(token, checkout.provider.checkoutId)), 'ipn');
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
