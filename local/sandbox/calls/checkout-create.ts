// /checkout/create. unique_id: a repeat with the same parameters returns the
// checkout as it is now; a repeat with other parameters is 1003 and creates
// nothing. A declined card uses the unique_id too (WePay's rule: any error but
// the unknown one means it is used): its repeats get the same decline, and
// nothing is created.
import { storedCardFor } from '#local/sandbox/card-checks.ts';
import { accountFor } from '#local/sandbox/calls/authorization.ts';
import { checkoutView } from '#local/sandbox/calls/checkout-view.ts';
import type { ApiContext, Caller, Params } from '#local/sandbox/calls/context.ts';
import { nowSeconds, objectParam, optionalString, requiredDollars, requiredString } from '#local/sandbox/calls/params.ts';
import { parameterFingerprint, type CheckoutPayment, type CheckoutRecord } from '#local/sandbox/records.ts';
import { generalDecline, invalidParameter, missingParameter, throttled } from '#local/sandbox/wepay-errors.ts';
import { appFeeWithinCap, feePayers, processingFeeCents, type FeePayer } from '#local/sandbox/wire-money.ts';

const checkoutTypes = ['goods', 'service', 'donation', 'event', 'personal'];
const currencies = ['USD', 'CAD'];

interface PaymentChoice {
  payment: CheckoutPayment;
  declines: boolean;
}

function paymentChoice(context: ApiContext, params: Params): PaymentChoice {
  const paymentMethod = objectParam(params, 'payment_method');
  const hostedCheckout = objectParam(params, 'hosted_checkout');
  if (paymentMethod && hostedCheckout) throw invalidParameter('pass payment_method or hosted_checkout, not both');
  if (!paymentMethod) return { payment: { kind: 'hosted' }, declines: false };
  if (paymentMethod['type'] !== 'credit_card') throw invalidParameter('payment_method.type must be credit_card');
  const creditCard = objectParam(paymentMethod, 'credit_card');
  if (!creditCard) throw missingParameter('payment_method.credit_card');
  if (creditCard['id'] === undefined || creditCard['id'] === null || creditCard['id'] === '') throw missingParameter('payment_method.credit_card.id');
  const card = storedCardFor(context.store.creditCards, creditCard['id']);
  const autoCapture = creditCard['auto_capture'] ?? true;
  if (typeof autoCapture !== 'boolean') throw invalidParameter('payment_method.credit_card.auto_capture must be a boolean');
  return { payment: { kind: 'credit_card', credit_card_id: card.credit_card_id, auto_capture: autoCapture }, declines: card.declines };
}

export function createCheckout(context: ApiContext, params: Params, caller: Caller): unknown {
  const account = accountFor(context, caller, params);
  const admitted = context.throttle.admit(['app', `merchant:${account.account_id}`], Date.now());
  if (!admitted.allowed) throw throttled(admitted.retryAfterSeconds);

  const shortDescription = requiredString(params, 'short_description', 255);
  const longDescription = optionalString(params, 'long_description', 2047);
  const type = requiredString(params, 'type', 20);
  if (!checkoutTypes.includes(type)) throw invalidParameter(`type must be one of ${checkoutTypes.join(', ')}`);
  const amount = requiredDollars(params, 'amount');
  if (amount <= 0) throw invalidParameter('amount must be greater than 0');
  const currency = requiredString(params, 'currency', 3);
  if (!currencies.includes(currency)) throw invalidParameter(`currency must be one of ${currencies.join(', ')}`);

  const fee = objectParam(params, 'fee') ?? {};
  const appFee = fee['app_fee'] === undefined ? 0 : requiredDollars(fee, 'app_fee');
  if (!appFeeWithinCap(appFee, amount)) throw invalidParameter('fee.app_fee may not exceed 20% of amount');
  const feePayer = (fee['fee_payer'] ?? 'payer') as FeePayer;
  if (!feePayers.includes(feePayer)) throw invalidParameter(`fee.fee_payer must be one of ${feePayers.join(', ')}`);

  const callbackUri = optionalString(params, 'callback_uri', 2083);
  // WePay refuses localhost callbacks; the sandbox accepts them, as its receivers are local.
  if (callbackUri !== null && !/^https?:\/\/[^\s]+$/i.test(callbackUri)) throw invalidParameter('callback_uri must be an http(s) URL');
  const referenceId = optionalString(params, 'reference_id', 255);
  const uniqueId = optionalString(params, 'unique_id', 255);
  const { payment, declines } = paymentChoice(context, params);

  const fingerprint = parameterFingerprint(
    JSON.stringify([account.account_id, shortDescription, longDescription, type, amount, currency, appFee, feePayer, callbackUri, referenceId, payment]),
  );
  const { store } = context;
  if (uniqueId !== null) {
    const used = store.uniqueIds.get(uniqueId);
    if (used) {
      if (used.fingerprint !== fingerprint) throw invalidParameter(`unique_id ${uniqueId} was already used with other parameters`);
      if (used.declined) throw generalDecline();
      const original = used.checkout_id === null ? undefined : store.checkouts.get(used.checkout_id);
      if (original) return checkoutView(context, original);
    }
  }
  if (declines) {
    if (uniqueId !== null) store.uniqueIds.set(uniqueId, { fingerprint, checkout_id: null, declined: true });
    throw generalDecline();
  }

  const checkout: CheckoutRecord = {
    checkout_id: store.nextId('checkout'),
    account_id: account.account_id,
    state: payment.kind === 'credit_card' ? 'authorized' : 'new',
    short_description: shortDescription,
    long_description: longDescription,
    type,
    currency,
    amount,
    app_fee: appFee,
    fee_payer: feePayer,
    processing_fee: processingFeeCents(amount),
    reference_id: referenceId,
    unique_id: uniqueId,
    amount_refunded: 0,
    amount_charged_back: 0,
    refund_reason: null,
    cancel_reason: null,
    create_time: nowSeconds(),
    callback_uri: callbackUri,
    payment,
    next_transition: null,
  };
  context.lifecycle().plan(checkout);
  store.checkouts.set(checkout);
  if (uniqueId !== null) store.uniqueIds.set(uniqueId, { fingerprint, checkout_id: checkout.checkout_id, declined: false });
  context.ipn.notifyChange(checkout.checkout_id);
  return checkoutView(context, checkout);
}
