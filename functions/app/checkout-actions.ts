// Capture, cancel and refund: money moves exactly once, whatever the concurrency,
// faults or crashes, because money movement is recorded before it happens.
// Each action
//   1. writes its intent on the checkout (one conditional write, which also refuses
//      to start while another action's intent is in flight: 409 checkout_busy),
//   2. calls the provider,
//   3. records the outcome (re-read and re-applied over concurrent writers).
// An intent left pending (lost answer, crash) is settled by the same unique_id's
// retry or by the reconciler, by reading the provider: actions being serialized,
// the provider's figures against those recorded with the intent say exactly
// whether this action happened. It is never acted on twice: an intent is settled
// as never done only after its lease, when no call of its request can still land.
import {
  allowsAction,
  assertActionAllowed,
  isFinal,
  mayBeAllowedAfterRefresh,
  refundableAmount,
  type CheckoutAction,
} from '#functions/domain/checkout-state.ts';
import {
  CheckoutBusyError,
  InvalidStateError,
  NotFoundError,
  PaymentsError,
  PermissionDeniedError,
  ProviderUnavailableError,
} from '#functions/domain/errors.ts';
import { couldBeCheckoutId, idInMessage } from '#functions/domain/ids.ts';
import type { Principal } from '#functions/domain/principal.ts';
import {
  isInFlight,
  pendingActionOf,
  settlementOf,
  withAction,
  withOutcome,
  actionHappened,
  type RecordedAction,
} from '#functions/domain/recorded-actions.ts';
import { withChange } from '#functions/domain/checkout-changes.ts';
import { ConcurrentUpdateError, type Checkout } from '#functions/domain/checkout.ts';
import type { StoredResponse } from '#functions/ports/idempotency-store.ts';
import type { MerchantCredential, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import {
  actionIdFor,
  canAct,
  canView,
  commitChange,
  defaultIntentLeaseMs,
  isoAt,
  observed,
  recordObservation,
  statusOf,
  type CheckoutDeps,
} from './checkout-records.ts';
import { namespaceOf, runIdempotently, type IdempotencyDeps } from './idempotency.ts';
import { credentialOf } from './merchants.ts';

export interface CheckoutActionInput {
  action: CheckoutAction;
  /** The request's unique_id: the action's id derives from it and the principal. */
  uniqueId: string;
  reason?: string;
  /** Refunds only: a partial amount; omitted refunds everything left. */
  amount?: number;
}

/** Test seams: a hook runs between two steps, so a test can stop the process there. */
export interface ActionHooks {
  afterIntent?: () => Promise<void>;
  afterProviderCall?: () => Promise<void>;
}

const retryAfterSeconds = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));

/** Bound on lost races while writing the intent; past it the client is told to come back (409, never a 5xx). */
const maxIntentRounds = 50;

export async function performCheckoutAction(
  deps: CheckoutDeps,
  principal: Principal,
  id: string,
  input: CheckoutActionInput,
  hooks: ActionHooks = {},
): Promise<Checkout> {
  const actionId = actionIdFor(principal.sub, input.uniqueId, input.action);
  const leaseMs = deps.intentLeaseMs ?? defaultIntentLeaseMs;
  let credential: MerchantCredential | undefined;
  const token = async (checkout: Checkout) => (credential ??= await credentialOf(deps, checkout.ownerSub));

  for (let round = 0; round < maxIntentRounds; round++) {
    // Ids that cannot be ours are answered without a read (domain/ids.ts).
    const checkout = couldBeCheckoutId(id) ? await deps.checkouts.get(id) : undefined;
    if (!checkout || !canView(principal, checkout)) throw new NotFoundError(`No checkout ${idInMessage(id, couldBeCheckoutId)}`, { param: 'id' });
    if (!canAct(principal, checkout)) throw new PermissionDeniedError('Only the merchant owning the account, or ops, may act on a checkout');

    const mine = checkout.actions.find((action) => action.id === actionId);
    // Done before (the answer was lost after the outcome was recorded): answer it again.
    if (mine?.state === 'succeeded') return checkout;

    const now = deps.clock.now();
    const pending = pendingActionOf(checkout);
    if (pending && pending.id !== actionId && isInFlight(pending, now)) {
      throw new CheckoutBusyError(retryAfterSeconds(pending.expiresAt ?? now, now));
    }
    if (pending) {
      // Ours (a retry after a lost answer or a crash) or one abandoned by its request: read and settle.
      const settled = await settle(deps, checkout, pending, await token(checkout), 'api');
      if (pending.id === actionId) {
        if (settled.outcome === 'succeeded') return settled.checkout;
        if (settled.outcome === 'pending') {
          throw new ProviderUnavailableError(
            'The outcome of this request at the payment provider is not known yet; retry with the same unique_id',
            retryAfterSeconds(pending.expiresAt ?? now, now),
          );
        }
        // Never done: this request may act now.
      }
      continue;
    }

    const intent = await intentFor(deps, checkout, input, actionId, mine, await token(checkout), now + leaseMs);
    if (!intent) continue;
    // Watch first: a crash right after the intent leaves it where the reconciler looks.
    await deps.checkouts.watch(checkout.id);
    let recorded: Checkout;
    try {
      // Not re-applied on a lost race like other changes: the busy check must see the fresh copy.
      const at = isoAt(deps.clock);
      const next = withChange(checkout, withAction({ ...intent.base, updatedAt: at }, intent.action), { version: checkout.version + 1, at, source: 'api' });
      recorded = await deps.checkouts.update(next, checkout.version);
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    await hooks.afterIntent?.();
    return act(deps, recorded, intent.action, await token(checkout), hooks);
  }
  throw new CheckoutBusyError(1);
}

/**
 * The intent to write, on the checkout as the provider shows it now (refunds always
 * read first: the intent must hold the provider's amount_refunded to attribute the
 * outcome). Undefined when the read changed nothing we may write on: go round again.
 */
async function intentFor(
  deps: CheckoutDeps,
  checkout: Checkout,
  input: CheckoutActionInput,
  actionId: string,
  earlier: RecordedAction | undefined,
  credential: MerchantCredential,
  expiresAt: number,
): Promise<{ base: Checkout; action: RecordedAction } | undefined> {
  const mustRead =
    (input.action === 'refund' && !isFinal(checkout.state)) ||
    (!allowsAction(checkout.state, input.action) && mayBeAllowedAfterRefresh(checkout.state, input.action));
  let base = checkout;
  if (mustRead) {
    const status = statusOf(await deps.provider.getCheckout(credential, checkout.provider.checkoutId));
    base = observed(checkout, status, isoAt(deps.clock));
    if (!allowsAction(base.state, input.action) || (input.amount !== undefined && input.amount > refundableAmount(base))) {
      // Store what the provider said before refusing, so the next read of ours is right.
      await recordObservation(deps, checkout, status, 'api');
    }
  }
  assertActionAllowed(base, input.action, input.amount);
  const amount = input.action === 'refund' ? (input.amount ?? refundableAmount(base)) : undefined;
  return {
    base,
    action: {
      id: actionId,
      action: input.action,
      ...(amount === undefined ? {} : { amount }),
      ...(input.action === 'refund' && input.amount === undefined ? { wholeRemainder: true } : {}),
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      state: 'pending',
      createdAt: earlier?.createdAt ?? isoAt(deps.clock),
      before: { state: base.state, amountRefunded: base.amountRefunded },
      expiresAt,
    },
  };
}

/** Steps 2 and 3: the provider call and its outcome. */
async function act(deps: CheckoutDeps, checkout: Checkout, action: RecordedAction, credential: MerchantCredential, hooks: ActionHooks): Promise<Checkout> {
  const providerId = checkout.provider.checkoutId;
  let answer: ProviderCheckout;
  try {
    answer =
      action.action === 'capture'
        ? await deps.provider.captureCheckout(credential, providerId)
        : action.action === 'cancel'
          ? await deps.provider.cancelCheckout(credential, providerId, action.reason ?? '')
          : await deps.provider.refundCheckout(credential, providerId, action.reason ?? '', action.wholeRemainder ? undefined : action.amount);
  } catch (error) {
    if (error instanceof ProviderUnavailableError) {
      // Unknown outcome: a read may already tell. Otherwise the intent stays pending (503).
      const read = await deps.provider.getCheckout(credential, providerId).catch(() => undefined);
      if (read && actionHappened(action, statusOf(read))) return recordOutcome(deps, checkout, action.id, 'succeeded', read);
      throw error;
    }
    if (error instanceof PaymentsError) {
      // A definite refusal (wrong state, throttled, rejected): the provider did nothing.
      const read = error instanceof InvalidStateError ? await deps.provider.getCheckout(credential, providerId).catch(() => undefined) : undefined;
      const recorded = await recordOutcome(deps, checkout, action.id, 'failed', read);
      if (error instanceof InvalidStateError) {
        throw new InvalidStateError(`A ${recorded.state.replace('_', ' ')} checkout does not allow ${action.action}`);
      }
      throw error;
    }
    // Anything else says nothing about the provider: the intent stays pending for a retry or the reconciler.
    throw error;
  }
  await hooks.afterProviderCall?.();
  return recordOutcome(deps, checkout, action.id, 'succeeded', answer);
}

/**
 * POST /v1/checkouts/{id}/{action}: the action run once per (principal, unique_id).
 * The operation names the checkout, so the same unique_id on another checkout is 422.
 * The outcome stored for replays is the checkout after the action, as `render` presents it.
 */
export async function performCheckoutActionOnce(
  deps: CheckoutDeps & { idempotency: IdempotencyDeps },
  request: { principal: Principal; checkoutId: string; input: CheckoutActionInput; asReceived: unknown; hooks?: ActionHooks },
  render: (checkout: Checkout) => StoredResponse,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const { principal, checkoutId, input } = request;
  return runIdempotently(
    deps.idempotency,
    { namespace: namespaceOf(principal), uniqueId: input.uniqueId, operation: `checkouts.${input.action}:${checkoutId}`, input: request.asReceived },
    { execute: async () => ({ response: render(await performCheckoutAction(deps, principal, checkoutId, input, request.hooks)) }) },
  );
}

/** Records an action's outcome and what the provider showed, on the freshest copy. */
export async function recordOutcome(
  deps: CheckoutDeps,
  checkout: Checkout,
  actionId: string,
  outcome: 'succeeded' | 'failed',
  read: ProviderCheckout | undefined,
  source: 'api' | 'reconciler' = 'api',
): Promise<Checkout> {
  const readAt = isoAt(deps.clock);
  return commitChange(deps, checkout, source, (current) => {
    const recorded = current.actions.find((a) => a.id === actionId);
    // A pending one takes the outcome; a failed one turns out done if it did; a success stays.
    const takesOutcome = recorded !== undefined && (recorded.state === 'pending' || (recorded.state === 'failed' && outcome === 'succeeded'));
    if (!takesOutcome && !read) return undefined;
    const base = read ? observed(current, statusOf(read), readAt) : current;
    return takesOutcome ? withOutcome(base, actionId, outcome) : base;
  });
}

/**
 * Settles a pending action by reading the provider: succeeded, failed (never done,
 * its lease over), or still pending (unknown). Used by a retry and the reconciler.
 */
export async function settle(
  deps: CheckoutDeps,
  checkout: Checkout,
  pending: RecordedAction,
  credential: MerchantCredential,
  source: 'api' | 'reconciler',
  read?: ProviderCheckout,
): Promise<{ checkout: Checkout; outcome: 'succeeded' | 'failed' | 'pending' }> {
  const observedNow = read ?? (await deps.provider.getCheckout(credential, checkout.provider.checkoutId));
  const outcome = settlementOf(pending, statusOf(observedNow), deps.clock.now());
  if (outcome === 'pending') {
    return { checkout: await recordObservation(deps, checkout, statusOf(observedNow), source), outcome };
  }
  return { checkout: await recordOutcome(deps, checkout, pending.id, outcome, observedNow, source), outcome };
}
