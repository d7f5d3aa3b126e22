// Checkout states and the rules between them. The provider is the source of
// truth; we keep a copy that may lag behind it (IPNs arrive late, batched, or
// out of order, and a fetch can race a newer one), so every observation goes
// through `reconcile`, which only ever moves a checkout forward.
import { InvalidRequestError, InvalidStateError } from '#functions/domain/errors.ts';

export const checkoutStates = [
  'new',
  'authorized',
  'captured',
  'released',
  'cancelled',
  'refunded',
  'charged_back',
  'failed',
  'expired',
] as const;
export type CheckoutState = (typeof checkoutStates)[number];

/**
 * The lifecycle, as direct forward moves. It is acyclic, so "reachable from"
 * is a strict order along any path, which is what lets `reconcile` tell an
 * older read from a newer one.
 *
 *   new        → authorized, cancelled, failed, expired (left in new over 30 minutes)
 *   authorized → captured, cancelled, failed
 *   captured   → released, refunded, charged_back
 *   released   → refunded, charged_back
 *
 * Partial refunds and chargebacks keep the state (only the amounts grow);
 * `refunded` and `charged_back` mean the whole amount went back.
 * `cancelled`, `refunded`, `charged_back`, `failed` and `expired` are final.
 */
export const lifecycle: Readonly<Record<CheckoutState, readonly CheckoutState[]>> = {
  new: ['authorized', 'cancelled', 'failed', 'expired'],
  authorized: ['captured', 'cancelled', 'failed'],
  captured: ['released', 'refunded', 'charged_back'],
  released: ['refunded', 'charged_back'],
  cancelled: [],
  refunded: [],
  charged_back: [],
  failed: [],
  expired: [],
};

const reachable: ReadonlyMap<CheckoutState, ReadonlySet<CheckoutState>> = new Map(
  checkoutStates.map((from) => [from, forwardClosure(from)]),
);

function forwardClosure(from: CheckoutState): Set<CheckoutState> {
  const seen = new Set<CheckoutState>();
  const pending = [...lifecycle[from]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...lifecycle[next]);
  }
  return seen;
}

/** True when `to` lies strictly ahead of `from` in the lifecycle (one or more moves). */
export function isReachable(from: CheckoutState, to: CheckoutState): boolean {
  return reachable.get(from)?.has(to) ?? false;
}

export function isFinal(state: CheckoutState): boolean {
  return lifecycle[state].length === 0;
}

/** What reconciliation compares: the state and the two amounts that only grow. */
export interface CheckoutStatus {
  state: CheckoutState;
  amountRefunded: number;
  amountChargedBack: number;
}

/**
 * Merges an observation of the provider into what we stored. The observed
 * state is taken only if it lies ahead of the stored one; an older read (or an
 * impossible one, off the stored state's branch) keeps the stored state. The
 * amounts never decrease. `changed` says whether anything needs writing.
 */
export function reconcile(stored: CheckoutStatus, observed: CheckoutStatus): CheckoutStatus & { changed: boolean } {
  const state = isReachable(stored.state, observed.state) ? observed.state : stored.state;
  const amountRefunded = Math.max(stored.amountRefunded, observed.amountRefunded);
  const amountChargedBack = Math.max(stored.amountChargedBack, observed.amountChargedBack);
  const changed =
    state !== stored.state || amountRefunded !== stored.amountRefunded || amountChargedBack !== stored.amountChargedBack;
  return { state, amountRefunded, amountChargedBack, changed };
}

export const checkoutActions = ['capture', 'cancel', 'refund'] as const;
export type CheckoutAction = (typeof checkoutActions)[number];

/** The provider allows refunds of captured and released checkouts. */
const statesAllowing: Readonly<Record<CheckoutAction, readonly CheckoutState[]>> = {
  capture: ['authorized'],
  cancel: ['new', 'authorized'],
  refund: ['captured', 'released'],
};

export function allowsAction(state: CheckoutState, action: CheckoutAction): boolean {
  return statesAllowing[action].includes(state);
}

/**
 * True when our stored state refuses the action but a state ahead of it would
 * allow it: our copy may be behind the provider (e.g. stored `new`, provider
 * already `authorized`), so fetch from the provider before answering 409. A
 * final state, or one past every allowing state, never needs the fetch.
 */
export function mayBeAllowedAfterRefresh(state: CheckoutState, action: CheckoutAction): boolean {
  if (allowsAction(state, action)) return false;
  return statesAllowing[action].some((allowing) => isReachable(state, allowing));
}

export interface RefundableCheckout extends CheckoutStatus {
  amount: number;
}

/** What is left to refund: amount − amount_refunded (a partial chargeback does not reduce it; the provider decides). */
export function refundableAmount(checkout: RefundableCheckout): number {
  return Math.max(0, checkout.amount - checkout.amountRefunded);
}

/**
 * Checks that `action` may run on the checkout as stored.
 * @param refundAmount for `refund`: the partial amount asked for; omitted means the full remainder.
 * @throws InvalidStateError when the state does not allow the action (409 invalid_state)
 * @throws InvalidRequestError `parameter_invalid` (param `amount`) when a refund asks for more than is left
 */
export function assertActionAllowed(checkout: RefundableCheckout, action: CheckoutAction, refundAmount?: number): void {
  if (!allowsAction(checkout.state, action)) {
    throw new InvalidStateError(`A ${checkout.state.replace('_', ' ')} checkout cannot be ${pastTense[action]}`);
  }
  if (action === 'refund' && refundAmount !== undefined) {
    const left = refundableAmount(checkout);
    if (!Number.isSafeInteger(refundAmount) || refundAmount <= 0) {
      throw new InvalidRequestError('parameter_invalid', 'amount must be a positive integer', { param: 'amount' });
    }
    if (refundAmount > left) {
      throw new InvalidRequestError('parameter_invalid', `amount may not exceed the refundable amount (${left})`, {
        param: 'amount',
      });
    }
  }
}

const pastTense: Record<CheckoutAction, string> = { capture: 'captured', cancel: 'cancelled', refund: 'refunded' };
