// WePay's checkout calls: create (idempotent by unique_id), read, find, and the
// state transitions (capture, cancel, refund) with their repeat rules.
import type { CheckoutState } from '#functions/domain/checkout-state.ts';
import type { CreateCheckoutInput, FindCheckoutsInput, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import { isObject, malformed, providerId, toProviderCheckout, type WePayObject } from './checkout-object.ts';
import { toDecimalDollars } from './decimal-dollars.ts';
import { JsonNumberLiteral } from './exact-json.ts';
import { RepeatRejectedAfterUnknownOutcome, type WePayTransport } from './transport.ts';

/** `/batch/create` holds at most this many calls, and `/checkout/find` pages at most this many checkouts. */
export const WEPAY_MAX_BATCH_CALLS = 50;

export async function createCheckout(wire: WePayTransport, accessToken: string, input: CreateCheckoutInput): Promise<ProviderCheckout> {
  // Built once: every attempt sends these exact bytes, the same unique_id included.
  const body = await wire.call('/checkout/create', accessToken, {
    account_id: providerId(input.accountId),
    short_description: input.shortDescription,
    type: input.type,
    amount: new JsonNumberLiteral(toDecimalDollars(input.amount)),
    currency: input.currency,
    fee: { app_fee: new JsonNumberLiteral(toDecimalDollars(input.fee.appFee)), fee_payer: input.fee.feePayer },
    unique_id: input.uniqueId,
    reference_id: input.referenceId,
    callback_uri: input.callbackUri,
    payment_method: {
      type: 'credit_card',
      credit_card: { id: providerId(input.creditCardId), auto_capture: input.autoCapture },
    },
  }, { kind: 'idempotent' });
  return toProviderCheckout(body);
}

export async function getCheckout(wire: WePayTransport, accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
  const body = await wire.call('/checkout', accessToken, { checkout_id: providerId(checkoutId) }, { kind: 'idempotent' });
  return toProviderCheckout(body);
}

/** `/checkout/find`: the account's checkouts, oldest first, each with its unique_id. */
export async function findCheckouts(wire: WePayTransport, accessToken: string, input: FindCheckoutsInput): Promise<ProviderCheckout[]> {
  const body = await wire.call('/checkout/find', accessToken, {
    account_id: providerId(input.accountId),
    sort_order: 'ASC',
    ...(input.startTime === undefined ? {} : { start_time: new JsonNumberLiteral(String(Math.trunc(input.startTime))) }),
    ...(input.start === undefined ? {} : { start: new JsonNumberLiteral(String(input.start)) }),
    limit: new JsonNumberLiteral(String(input.limit ?? WEPAY_MAX_BATCH_CALLS)),
  }, { kind: 'idempotent' });
  // WePay answers a find with a JSON array; `call` hands arrays over under `items`.
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) throw malformed('find result');
  return items.map((item) => {
    if (!isObject(item)) throw malformed('find result');
    return toProviderCheckout(item);
  });
}

export function captureCheckout(wire: WePayTransport, accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
  return transition(wire, accessToken, '/checkout/capture', { checkout_id: providerId(checkoutId) }, checkoutId, 'captured');
}

export function cancelCheckout(wire: WePayTransport, accessToken: string, checkoutId: string, reason: string): Promise<ProviderCheckout> {
  return transition(wire, accessToken, '/checkout/cancel', { checkout_id: providerId(checkoutId), cancel_reason: reason }, checkoutId, 'cancelled');
}

export async function refundCheckout(wire: WePayTransport, accessToken: string, checkoutId: string, reason: string, amount?: number): Promise<ProviderCheckout> {
  if (amount === undefined) {
    return transition(wire, accessToken, '/checkout/refund', { checkout_id: providerId(checkoutId), refund_reason: reason }, checkoutId, 'refunded');
  }
  // A repeated partial refund would refund twice, so it is never repeated here.
  const body = await wire.call('/checkout/refund', accessToken, {
    checkout_id: providerId(checkoutId),
    refund_reason: reason,
    amount: new JsonNumberLiteral(toDecimalDollars(amount)),
  }, { kind: 'once' });
  return fullCheckout(wire, accessToken, checkoutId, body);
}

async function transition(
  wire: WePayTransport,
  accessToken: string,
  path: string,
  params: WePayObject,
  checkoutId: string,
  targetState: CheckoutState,
): Promise<ProviderCheckout> {
  try {
    const body = await wire.call(path, accessToken, params, { kind: 'transition' });
    return await fullCheckout(wire, accessToken, checkoutId, body);
  } catch (error) {
    if (!(error instanceof RepeatRejectedAfterUnknownOutcome)) throw error;
    const checkout = await getCheckout(wire, accessToken, checkoutId);
    if (checkout.state === targetState) return checkout;
    throw error.invalidState;
  }
}

// WePay answers capture/cancel/refund with {checkout_id, state} only; fetch the full object then.
async function fullCheckout(wire: WePayTransport, accessToken: string, checkoutId: string, body: WePayObject): Promise<ProviderCheckout> {
  if (body.amount !== undefined && body.account_id !== undefined) return toProviderCheckout(body);
  return getCheckout(wire, accessToken, checkoutId);
}
