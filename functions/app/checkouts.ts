// Checkouts: creation, run once per unique_id (createCheckoutOnce), and the
// provider refresh. Actions live in checkout-actions.ts, reads and listings in
// checkout-queries.ts, the shared records in checkout-records.ts. The provider is the source of truth; our copy
// only moves forward (domain/checkout-state.ts).
import { withChange } from '#functions/domain/checkout-changes.ts';
import { isFinal } from '#functions/domain/checkout-state.ts';
import { CardDeclinedError, InvalidRequestError, NotFoundError, PaymentsError, ProviderUnavailableError, UnknownCardTokenError } from '#functions/domain/errors.ts';
import { assertAppFeeWithinCap } from '#functions/domain/fees.ts';
import { couldBeAccountId, idInMessage } from '#functions/domain/ids.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { Mandate } from '#functions/domain/mandate.ts';
import { CheckoutAlreadyExistsError, type Checkout, type CreationIntent } from '#functions/domain/checkout.ts';
import type { StoredResponse } from '#functions/ports/idempotency-store.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';
import type { CreateCheckoutInput as ProviderCreateCheckoutInput, MerchantCredential, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import {
  checkoutIdFor,
  defaultIntentLeaseMs,
  isoAt,
  providerUniqueIdFor,
  recordObservation,
  statusOf,
  type CheckoutDeps,
} from './checkout-records.ts';
import { agentMandateFor, releaseMandateSpend, spendMandate } from './mandate-spending.ts';
import { credentialOf } from './merchants.ts';
import { namespaceOf, runIdempotently, type IdempotencyDeps } from './idempotency.ts';
import { judgeVelocity, readVelocity, recordCreate, recordDecline, type VelocityReading, type VelocitySubject } from './velocity.ts';

export { actionIdFor, checkoutIdFor, providerUniqueIdFor, type CheckoutDeps } from './checkout-records.ts';
export { performCheckoutAction, performCheckoutActionOnce, type CheckoutActionInput } from './checkout-actions.ts';
export { getCheckout, listCheckouts, type ListCheckoutsInput } from './checkout-queries.ts';

/** What the payer asks for; `accountId` is our account id, not the provider's. */
export type CreateCheckoutInput = Omit<ProviderCreateCheckoutInput, 'callbackUri'> & {
  /** The caller's address, for the per-IP velocity limit. */
  sourceIp?: string;
};

/** Our record of a checkout the provider (named `providerName`) created, by a request or found by the reconciler. */
export function checkoutFromProvider(
  intent: CreationIntent,
  providerName: string,
  created: ProviderCheckout,
  now: string,
  source: 'api' | 'reconciler' = 'api',
): Checkout {
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
    provider: { name: providerName, checkoutId: created.checkoutId },
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

/** The reconciler watches a checkout while it may still change. */
const watchedOnceCreated = (checkout: Checkout) => !isFinal(checkout.state);

/**
 * Stores a checkout the provider created, watched by the reconciler while it may change;
 * the creation is then settled. Also repairs a record a crash left half written.
 */
export async function recordCreated(deps: Pick<CheckoutDeps, 'checkouts'>, checkout: Checkout, justRead = false): Promise<Checkout> {
  const stored = await storeCreated(deps, checkout, justRead);
  await deps.checkouts.clearCreationIntent(checkout.id);
  return stored;
}

/**
 * The checkout, its provider pointer and its watch entry, written together (one round
 * trip). Each write is idempotent, and the creation intent is dropped only after all
 * three succeeded: until then it stands for any that a crash left out, and whoever
 * settles it (the request's retry, the reconciler) writes them again.
 */
async function storeCreated(deps: Pick<CheckoutDeps, 'checkouts'>, checkout: Checkout, justRead = false): Promise<Checkout> {
  const [stored] = await Promise.all([
    deps.checkouts.create(checkout).then(
      () => checkout,
      async (error: unknown) => {
        if (!(error instanceof CheckoutAlreadyExistsError)) throw error;
        // `justRead`: the caller read this very record to get here; it is not read again.
        return justRead ? checkout : (await deps.checkouts.get(checkout.id))!;
      },
    ),
    watchedOnceCreated(checkout) ? deps.checkouts.watch(checkout.id) : undefined,
  ]);
  return stored;
}

/** The reads a creation needs that depend on the request alone: issued at once, alongside the idempotency claim. */
interface CreationReads {
  /** An agent's mandate, checked (its refusal rejects this promise); undefined for a user. */
  mandate: Promise<Mandate | undefined>;
  account: Promise<MerchantAccount | undefined>;
  velocity: Promise<VelocityReading | undefined>;
}

/** Issued now, awaited later or never (a replay leaves it unused): its rejection is not unhandled meanwhile. */
function issued<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

const velocitySubjectOf = (namespace: string, input: CreateCheckoutInput): VelocitySubject => ({
  payer: namespace,
  cardToken: input.creditCardId,
  sourceIp: input.sourceIp ?? '',
});

function startCreationReads(deps: CheckoutDeps, principal: Principal, input: CreateCheckoutInput): CreationReads {
  // Ids that cannot be ours are answered without a read (domain/ids.ts), here and below.
  const accountId = input.accountId;
  return {
    mandate: issued(agentMandateFor(deps, principal, input)),
    account: issued(couldBeAccountId(accountId) ? deps.merchants.getAccount(accountId) : Promise.resolve(undefined)),
    // An agent's card is its mandate's, known only once the mandate is read: its velocity is read then.
    velocity: issued(deps.velocity && principal.mandateId === undefined ? readVelocity(deps.velocity, velocitySubjectOf(namespaceOf(principal), input)) : Promise.resolve(undefined)),
  };
}

/** A creation's checkout: stored already (an attempt that found it recorded), or still to be stored (storeCreated). */
interface Created {
  checkout: Checkout;
  stored: boolean;
}

/** The checkout an earlier attempt or the reconciler recorded, with what a crash may have left unwritten; undefined if none. */
async function alreadyRecorded(deps: CheckoutDeps, id: string): Promise<Created | undefined> {
  const recorded = await deps.checkouts.get(id);
  return recorded && { checkout: await storeCreated(deps, recorded, true), stored: true };
}

/** What a creation attempt knows from the idempotency claim; without one, the worst is assumed (it may have acted). */
interface CreationAttempt {
  resumed: boolean;
  reads: CreationReads;
}

/** A creation outside the idempotency layer (the worst is assumed: an earlier attempt may have acted). */
export async function createCheckout(deps: CheckoutDeps, principal: Principal, input: CreateCheckoutInput): Promise<Checkout> {
  const created = await createAndRecord(deps, principal, input, { resumed: true, reads: startCreationReads(deps, principal, input) });
  const checkout = created.stored ? created.checkout : await storeCreated(deps, created.checkout);
  await deps.checkouts.clearCreationIntent(checkout.id);
  return checkout;
}

/**
 * The creation's DynamoDB round trips (docs/money-movement.md "Call budget"): the reads
 * (alongside the idempotency claim); the creation intent with the merchant's token and
 * the velocity counts; the provider. The caller stores the checkout it answers with (with
 * its pointer and watch entry) and then drops the intent: in AWS in one transaction with
 * the stored answer, locally step by step.
 */
async function createAndRecord(
  deps: CheckoutDeps,
  principal: Principal,
  input: CreateCheckoutInput,
  { resumed, reads }: CreationAttempt,
): Promise<Created> {
  // An agent: its mandate's status and scope (401/403) come before anything else here; its card is the mandate's.
  const mandate = await reads.mandate;
  if (mandate) input = { ...input, creditCardId: mandate.creditCardId, autoCapture: true, fee: { appFee: 0, feePayer: 'payee_from_app' } };
  // An agent's namespace is its mandate: ids and provider unique_ids derive from (mandate, unique_id).
  const namespace = namespaceOf(principal);
  const account = await reads.account;
  if (!account) throw new NotFoundError(`No merchant account ${idInMessage(input.accountId, couldBeAccountId)}`, { param: 'account_id' });
  assertAppFeeWithinCap(input.amount, input.fee.appFee, 'fee.app_fee');

  const id = checkoutIdFor(namespace, input.uniqueId);
  // Only an attempt that took over an earlier one can find its checkout recorded already.
  if (resumed) {
    const recorded = await alreadyRecorded(deps, id);
    if (recorded) return recorded;
  }

  const velocitySubject = velocitySubjectOf(namespace, input);
  const velocity = deps.velocity;
  const reading = velocity && (mandate ? await readVelocity(velocity, velocitySubject) : await reads.velocity);
  // Velocity limits apply to a first attempt only: a retry of a creation whose outcome is unknown
  // is neither limited nor counted again (it may already have charged). A fresh claim is a first
  // attempt, limited before anything is written.
  if (!resumed && velocity && reading) judgeVelocity(velocity, velocitySubject, reading);
  // Recorded before the provider is called: a creation whose answer is lost and never
  // retried is then found and settled by the reconciler.
  const intent: CreationIntent = {
    checkoutId: id,
    uniqueId: input.uniqueId,
    payerSub: principal.sub,
    accountId: account.id,
    ownerSub: account.ownerSub,
    providerAccountId: account.providerAccountId,
    providerUniqueId: providerUniqueIdFor(namespace, input.uniqueId),
    ...(input.referenceId === undefined ? {} : { referenceId: input.referenceId }),
    ...(mandate ? { mandate: { id: mandate.id, name: mandate.agent.name, amount: input.amount } } : {}),
    createdAt: isoAt(deps.clock),
    expiresAt: deps.clock.now() + (deps.intentLeaseMs ?? defaultIntentLeaseMs),
  };
  // One round trip: none of these depends on another (a create counts once it is about to reach the provider).
  const [firstAttempt, credential, callbackUri] = await Promise.all([
    deps.checkouts.recordCreationIntent(intent),
    credentialOf(deps, account.ownerSub),
    deps.callbackUri?.(),
    !resumed && velocity ? recordCreate(velocity, velocitySubject) : undefined,
  ]);
  // A resumed attempt that found no intent: the earlier one wrote none, or the reconciler settled it
  // since this attempt looked for the checkout. Settled as recorded, it is answered from the record,
  // neither counted nor spent again (the intent just written goes with the answer).
  if (resumed && firstAttempt) {
    const recorded = await alreadyRecorded(deps, id);
    if (recorded) return recorded;
  }
  // An attempt that took over an earlier one is a first attempt only if that one wrote no intent.
  if (resumed && firstAttempt && velocity && reading) {
    try {
      judgeVelocity(velocity, velocitySubject, reading);
    } catch (error) {
      await deps.checkouts.clearCreationIntent(id);
      throw error;
    }
    await recordCreate(velocity, velocitySubject);
  }
  // The mandate's spending, in one conditional write, on a first attempt only: a retry's is held already.
  if (firstAttempt && mandate) await spendMandate(deps, mandate, input.amount, id);
  const created = await deps.provider.createCheckout(credential, {
    accountId: account.providerAccountId,
    uniqueId: intent.providerUniqueId,
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
    await Promise.all([
      // A definite refusal (a decline, throttling, a rejected call) created nothing: nothing to settle,
      // and a mandate's amount and count come back.
      ...(error instanceof PaymentsError && !(error instanceof ProviderUnavailableError)
        ? [deps.checkouts.clearCreationIntent(id), mandate ? releaseMandateSpend(deps, mandate.id, input.amount) : undefined]
        : []),
      error instanceof CardDeclinedError && velocity ? recordDecline(velocity, velocitySubject) : undefined,
    ]);
    // A card token the provider does not know is the caller's mistake, on that field.
    if (error instanceof UnknownCardTokenError) {
      throw new InvalidRequestError('parameter_invalid', 'payment_method.credit_card.id is not a card token the provider knows', {
        param: 'payment_method.credit_card.id',
      });
    }
    throw error;
  });
  return { checkout: checkoutFromProvider(intent, deps.provider.name, created, isoAt(deps.clock)), stored: false };
}

/** What a creation answers, and what its replays answer. */
export type CreationOutcome = { kind: 'created'; checkout: Checkout } | { kind: 'declined'; error: CardDeclinedError };

export interface CreateCheckoutRequest {
  principal: Principal;
  input: CreateCheckoutInput;
  /** The request as received (validated): with the operation, its fingerprint. */
  asReceived: unknown;
}

/**
 * POST /v1/checkouts: a creation run once per (namespace, unique_id). The outcome
 * stored for replays is the creation or the card's decline, as `render` presents
 * it; anything else is not replayed (app/idempotency.ts).
 */
export async function createCheckoutOnce(
  deps: CheckoutDeps & { idempotency: IdempotencyDeps },
  request: CreateCheckoutRequest,
  render: (outcome: CreationOutcome) => StoredResponse,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const { principal, input } = request;
  // Issued before the claim, so they share its round trip; a replay leaves them unused.
  const reads = startCreationReads(deps, principal, input);
  return runIdempotently(
    deps.idempotency,
    { namespace: namespaceOf(principal), uniqueId: input.uniqueId, operation: 'checkouts.create', input: request.asReceived },
    {
      execute: async ({ resumed }) => {
        const created = await createAndRecord(deps, principal, input, { resumed, reads });
        // A creation intent left behind is harmless: the reconciler finds the checkout recorded and drops it.
        const settled = (checkout: Checkout) => ({
          response: render({ kind: 'created', checkout }),
          alongside: () => deps.checkouts.clearCreationIntent(checkout.id).catch(() => undefined),
        });
        if (created.stored) return settled(created.checkout);
        // In AWS the checkout, its pointer and watch entry, the intent's removal and the stored
        // answer are one transaction: the key reads completed only once the checkout is durable.
        // Cancelled (the checkout stored meanwhile, the lock taken over, a conflict) or locally: step by step.
        const { checkout } = created;
        return {
          response: render({ kind: 'created', checkout }),
          unwritten: {
            writes: deps.checkouts.createdWrites(checkout, { watch: watchedOnceCreated(checkout) }),
            stepwise: async () => settled(await storeCreated(deps, checkout)),
          },
        };
      },
      storedFromError: (error) => (error instanceof CardDeclinedError ? render({ kind: 'declined', error }) : undefined),
    },
  );
}

/** Fetches the checkout from the provider with its merchant's credential and records what it says. */
export async function refreshFromProvider(deps: CheckoutDeps, checkout: Checkout, credential?: MerchantCredential): Promise<Checkout> {
  const used = credential ?? (await credentialOf(deps, checkout.ownerSub));
  return recordObservation(deps, checkout, statusOf(await deps.provider.getCheckout(used, checkout.provider.checkoutId)), 'ipn');
}
