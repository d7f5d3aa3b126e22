// What changes a checkout after its creation: /checkout/capture, /cancel,
// /refund, /find, and the moves WePay's back office makes on its own (the
// lifecycle timers, /__sandbox/checkouts/{id}/state). Every change re-plans the
// checkout's next automatic move, announces it by IPN and persists it.
import { findCheckouts } from '#local/sandbox/checkout-find.ts';
import { checkoutView } from '#local/sandbox/calls/checkout-view.ts';
import type { ApiContext, Params } from '#local/sandbox/calls/context.ts';
import { requiredDollars, requiredString } from '#local/sandbox/calls/params.ts';
import type { AccountRecord, CheckoutRecord, CheckoutState } from '#local/sandbox/records.ts';
import { invalidParameter, invalidState } from '#local/sandbox/wepay-errors.ts';
import { toDollars } from '#local/sandbox/wire-money.ts';

function changeState(context: ApiContext, checkout: CheckoutRecord, to: CheckoutState): void {
  checkout.state = to;
  context.lifecycle().plan(checkout);
  context.store.checkouts.set(checkout);
  context.ipn.notifyChange(checkout.checkout_id);
}

/** A change of amounts only: the state stays, the IPN still goes out. */
function changeAmounts(context: ApiContext, checkout: CheckoutRecord): void {
  context.store.checkouts.set(checkout);
  context.ipn.notifyChange(checkout.checkout_id);
}

export function capture(context: ApiContext, checkout: CheckoutRecord): unknown {
  if (checkout.state !== 'authorized') throw invalidState('captured', checkout.state);
  changeState(context, checkout, 'captured');
  return checkoutView(context, checkout);
}

export function cancel(context: ApiContext, params: Params, checkout: CheckoutRecord): unknown {
  const reason = requiredString(params, 'cancel_reason', 255);
  if (checkout.state !== 'new' && checkout.state !== 'authorized') throw invalidState('cancelled', checkout.state);
  checkout.cancel_reason = reason;
  changeState(context, checkout, 'cancelled');
  return checkoutView(context, checkout);
}

/** Full refund without `amount`; a partial one keeps the state and adds to amount_refunded. */
export function refund(context: ApiContext, params: Params, checkout: CheckoutRecord): unknown {
  const reason = requiredString(params, 'refund_reason', 255);
  if (checkout.state !== 'captured' && checkout.state !== 'released') throw invalidState('refunded', checkout.state);
  const remaining = checkout.amount - checkout.amount_refunded;
  const amount = params['amount'] === undefined || params['amount'] === null ? remaining : requiredDollars(params, 'amount');
  if (amount <= 0 || amount > remaining) {
    throw invalidParameter(`amount must be greater than 0 and at most ${toDollars(remaining)}`);
  }
  checkout.amount_refunded += amount;
  checkout.refund_reason = reason;
  if (checkout.amount_refunded === checkout.amount) changeState(context, checkout, 'refunded');
  else changeAmounts(context, checkout);
  return checkoutView(context, checkout);
}

export function find(context: ApiContext, account: AccountRecord, params: Params): unknown {
  const { checkouts } = context.store;
  return findCheckouts(checkouts.entriesOfAccount(account.account_id), params).flatMap((entry) => {
    const checkout = checkouts.peek(entry.checkout_id);
    return checkout ? [checkoutView(context, checkout)] : [];
  });
}

/** Moves a checkout to a state as WePay's back office would (lifecycle timers, /__sandbox/.../state). */
export function moveCheckout(context: ApiContext, checkoutId: number, to: CheckoutState): CheckoutRecord | undefined {
  const checkout = context.store.checkouts.get(checkoutId);
  if (!checkout) return undefined;
  if (to === 'refunded') checkout.amount_refunded = checkout.amount;
  if (to === 'charged back') checkout.amount_charged_back = checkout.amount - checkout.amount_refunded;
  changeState(context, checkout, to);
  return checkout;
}

/**
 * Changes the amounts as a refund or chargeback made outside the platform would
 * (WePay's dashboard, the card network): reaching the amount moves the state.
 */
export function moveAmounts(
  context: ApiContext,
  checkoutId: number,
  amounts: { amount_refunded?: number; amount_charged_back?: number },
): CheckoutRecord | undefined {
  const checkout = context.store.checkouts.get(checkoutId);
  if (!checkout) return undefined;
  if (amounts.amount_refunded !== undefined) checkout.amount_refunded = Math.min(checkout.amount, amounts.amount_refunded);
  if (amounts.amount_charged_back !== undefined) checkout.amount_charged_back = Math.min(checkout.amount, amounts.amount_charged_back);
  const refundable = checkout.state === 'captured' || checkout.state === 'released';
  if (refundable && checkout.amount_refunded >= checkout.amount) changeState(context, checkout, 'refunded');
  else if (refundable && checkout.amount_charged_back > 0 && checkout.amount_charged_back + checkout.amount_refunded >= checkout.amount) {
    changeState(context, checkout, 'charged back');
  } else changeAmounts(context, checkout);
  return checkout;
}
