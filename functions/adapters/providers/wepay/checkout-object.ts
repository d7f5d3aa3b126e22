// WePay's objects on the wire → the port's types. Numbers arrive as exact text
// (parseExactJson); money is decimal dollars on the wire and cents in the port.
import { ProviderError } from '#functions/domain/errors.ts';
import { checkoutTypes, type CheckoutType } from '#functions/domain/checkout.ts';
import { checkoutStates, type CheckoutState } from '#functions/domain/checkout-state.ts';
import { feePayers, type FeePayer } from '#functions/domain/fees.ts';
import { currencies, type Currency } from '#functions/domain/money.ts';
import type { ProviderCheckout } from '#functions/ports/payment-provider.ts';
import { fromDecimalDollars } from './decimal-dollars.ts';
import { JsonNumberLiteral } from './exact-json.ts';

export type WePayObject = Record<string, unknown>;

/** WePay's checkout states: ours, except that WePay writes `charged back` with a space. */
export type WePayCheckoutState = Exclude<CheckoutState, 'charged_back'> | 'charged back';
export const wepayCheckoutStates = checkoutStates.map((state) => (state === 'charged_back' ? 'charged back' : state)) as readonly WePayCheckoutState[];

export function fromWePayState(state: WePayCheckoutState): CheckoutState {
  if (state === 'charged back') return 'charged_back';
  // Only WePay's spellings: `charged_back` is ours and would mean a mix-up upstream.
  if (state !== ('charged_back' as string) && (checkoutStates as readonly string[]).includes(state)) return state;
  throw new RangeError(`Unknown WePay checkout state: ${String(state)}`);
}

/** WePay ids are integers on the wire; keep them exact (as text) and send them as numbers when they are. */
export function providerId(id: string): JsonNumberLiteral | string {
  return /^(?:0|[1-9]\d*)$/.test(id) ? new JsonNumberLiteral(id) : id;
}

export function isObject(value: unknown): value is WePayObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function malformed(field: string): ProviderError {
  return new ProviderError(`The payment provider sent an unexpected ${field}`);
}

export function optionalText(body: WePayObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw malformed(field);
}

export function requiredText(body: WePayObject, field: string): string {
  const value = optionalText(body, field);
  if (value === undefined || value === '') throw malformed(field);
  return value;
}

function cents(body: WePayObject | undefined, field: string): number | undefined {
  const value = body?.[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformed(field);
  try {
    return fromDecimalDollars(value);
  } catch {
    throw malformed(field);
  }
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw malformed(field);
}

/** WePay's checkout object → the port's ProviderCheckout (cents, our states). */
export function toProviderCheckout(body: WePayObject): ProviderCheckout {
  // Fees appear under `fee` in current responses and at the top level in older ones;
  // refunds and chargebacks either flat or under `refund` / `chargeback`.
  const fee = isObject(body.fee) ? body.fee : body;
  const refund = isObject(body.refund) ? body.refund : undefined;
  const chargeback = isObject(body.chargeback) ? body.chargeback : undefined;
  const amount = cents(body, 'amount');
  if (amount === undefined) throw malformed('amount');
  const createTime = Number(requiredText(body, 'create_time'));
  if (!Number.isSafeInteger(createTime)) throw malformed('create_time');
  const checkout: ProviderCheckout = {
    checkoutId: requiredText(body, 'checkout_id'),
    accountId: requiredText(body, 'account_id'),
    state: fromWePayState(oneOf(wepayCheckoutStates, body.state, 'state')),
    amount,
    currency: oneOf<Currency>(currencies, body.currency, 'currency'),
    shortDescription: optionalText(body, 'short_description') ?? '',
    // WePay's checkout types and fee payers are spelled as the API's (domain/checkout.ts, domain/fees.ts).
    type: oneOf<CheckoutType>(checkoutTypes, body.type, 'type'),
    appFee: cents(fee, 'app_fee') ?? 0,
    feePayer: fee.fee_payer === undefined ? 'payer' : oneOf<FeePayer>(feePayers, fee.fee_payer, 'fee_payer'),
    processingFee: cents(fee, 'processing_fee') ?? 0,
    amountRefunded: cents(body, 'amount_refunded') ?? cents(refund, 'amount_refunded') ?? 0,
    amountChargedBack: cents(body, 'amount_charged_back') ?? cents(chargeback, 'amount_charged_back') ?? 0,
    createTime,
  };
  const uniqueId = optionalText(body, 'unique_id');
  if (uniqueId) checkout.uniqueId = uniqueId;
  const referenceId = optionalText(body, 'reference_id');
  if (referenceId) checkout.referenceId = referenceId;
  return checkout;
}
