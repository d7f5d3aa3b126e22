// A checkout as WePay answers it: decimal dollars, fees, gross, refund and
// chargeback amounts, and the payment method or hosted checkout link.
import type { ApiContext } from '#local/sandbox/calls/context.ts';
import type { CheckoutRecord } from '#local/sandbox/records.ts';
import { grossCents, toDollars } from '#local/sandbox/wire-money.ts';

export function checkoutView(context: ApiContext, checkout: CheckoutRecord): Record<string, unknown> {
  const account = context.store.accounts.get(checkout.account_id);
  const payment = checkout.payment;
  return {
    checkout_id: checkout.checkout_id,
    account_id: checkout.account_id,
    type: checkout.type,
    short_description: checkout.short_description,
    long_description: checkout.long_description,
    currency: checkout.currency,
    amount: toDollars(checkout.amount),
    state: checkout.state,
    soft_descriptor: `WPY*${account?.name ?? ''}`,
    create_time: checkout.create_time,
    fee: {
      app_fee: toDollars(checkout.app_fee),
      processing_fee: toDollars(checkout.processing_fee),
      fee_payer: checkout.fee_payer,
    },
    gross: toDollars(grossCents(checkout.amount, checkout.app_fee, checkout.processing_fee, checkout.fee_payer)),
    reference_id: checkout.reference_id,
    unique_id: checkout.unique_id,
    callback_uri: checkout.callback_uri,
    amount_refunded: toDollars(checkout.amount_refunded),
    amount_charged_back: toDollars(checkout.amount_charged_back),
    refund: { amount_refunded: toDollars(checkout.amount_refunded), refund_reason: checkout.refund_reason },
    chargeback: { amount_charged_back: toDollars(checkout.amount_charged_back), dispute_uri: null },
    cancel_reason: checkout.cancel_reason,
    payment_method:
      payment.kind === 'credit_card'
        ? { type: 'credit_card', credit_card: { id: payment.credit_card_id, auto_capture: payment.auto_capture } }
        : null,
    hosted_checkout:
      payment.kind === 'hosted'
        ? { checkout_uri: `${context.baseUrl()}/__sandbox/checkouts/${checkout.checkout_id}`, mode: 'regular' }
        : null,
    in_review: false,
  };
}
