import * as z from 'zod/mini';
import { checkoutStates } from '#functions/domain/checkout-state.ts';
import { refundsOf } from '#functions/domain/recorded-actions.ts';
import { checkoutTypes } from '#functions/domain/checkout.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import type { CreateCheckoutInput } from '#functions/app/checkouts.ts';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { paymentProviderName } from '#functions/config.ts';
import { currency, feePayer, nonNegativeMinorUnits, pageCursor, pageLimit, positiveMinorUnits } from './fields.ts';

export const uniqueId = z
  .string({ error: 'unique_id must be a string' })
  .check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'unique_id must be 1-128 characters of A-Z a-z 0-9 . _ : -' }));

const text = (name: string, max: number) =>
  z.string({ error: `${name} must be a string` }).check(z.minLength(1, { error: `${name} must not be empty` }), z.maxLength(max, { error: `${name} must be at most ${max} characters` }));

export const createCheckoutRequest = z
  .strictObject({
    unique_id: uniqueId,
    account_id: text('account_id', 64),
    amount: positiveMinorUnits('amount'),
    currency,
    short_description: text('short_description', 255),
    type: z._default(z.enum(checkoutTypes, { error: `type must be one of ${checkoutTypes.join(', ')}` }), 'goods'),
    fee: z._default(
      z.strictObject({ app_fee: z._default(nonNegativeMinorUnits('fee.app_fee'), 0), fee_payer: z._default(feePayer, 'payee_from_app') }),
      { app_fee: 0, fee_payer: 'payee_from_app' },
    ),
    // Required of a payer, refused from an agent (its mandate names the card): the handler checks which.
    payment_method: z.optional(
      z.strictObject({
        type: z.literal('credit_card', { error: 'payment_method.type must be credit_card' }),
        credit_card: z.strictObject({
          id: z.pipe(
            z.union([z.string().check(z.minLength(1), z.maxLength(255)), z.int().check(z.positive())], { error: 'payment_method.credit_card.id must be the provider token of a card' }),
            z.transform(String),
          ),
          auto_capture: z._default(z.boolean({ error: 'payment_method.credit_card.auto_capture must be a boolean' }), true),
        }),
      }),
    ),
    reference_id: z.optional(text('reference_id', 255)),
  })
  .register(z.globalRegistry, {
    id: 'CreateCheckoutRequest',
    description:
      'Idempotent by unique_id. type defaults to goods, fee to {"app_fee": 0, "fee_payer": "payee_from_app"}, auto_capture to true. ' +
      'payment_method is required of a payer; an agent (agt_ token) sends neither payment_method nor fee (400 unknown_parameter): its mandate\'s card is charged, auto-captured, with no app fee.',
    examples: [
      {
        unique_id: 'order-7f3a-1',
        account_id: 'acc_9a8b7c6d',
        amount: 10400,
        currency: 'USD',
        short_description: 'Two coffees',
        type: 'goods',
        fee: { app_fee: 400, fee_payer: 'payee_from_app' },
        payment_method: { type: 'credit_card', credit_card: { id: '3141592653', auto_capture: true } },
        reference_id: 'order-7f3a',
      },
    ],
  });

export const captureCheckoutRequest = z
  .strictObject({ unique_id: uniqueId })
  .register(z.globalRegistry, { id: 'CaptureCheckoutRequest', examples: [{ unique_id: 'capture-7f3a-1' }] });
export const cancelCheckoutRequest = z
  .strictObject({ unique_id: uniqueId, reason: text('reason', 255) })
  .register(z.globalRegistry, { id: 'CancelCheckoutRequest', examples: [{ unique_id: 'cancel-7f3a-1', reason: 'Customer changed their mind' }] });
export const refundCheckoutRequest = z
  .strictObject({ unique_id: uniqueId, reason: text('reason', 255), amount: z.optional(positiveMinorUnits('amount')) })
  .register(z.globalRegistry, {
    id: 'RefundCheckoutRequest',
    description: 'Without amount, refunds everything not yet refunded.',
    examples: [{ unique_id: 'refund-7f3a-1', reason: 'One coffee was cold', amount: 500 }],
  });

export const listCheckoutsQuery = z.strictObject({
  account_id: z.optional(text('account_id', 64)),
  limit: pageLimit(),
  cursor: pageCursor(),
});

export const refundResponse = z
  .object({
    id: z.string(),
    amount: z.int(),
    reason: z.string(),
    state: z.enum(['pending', 'succeeded', 'failed']),
    created_at: z.string(),
  })
  .register(z.globalRegistry, { id: 'Refund', description: 'A refund made through this API: pending while the provider\'s answer is unknown.' });

// The API's checkout object, also the item of the list example. Repeats the request example's
// fields on purpose: each example is read alone in the OpenAPI document.
const checkoutExample = {
  id: 'chk_5e6f7a8b',
  unique_id: 'order-7f3a-1',
  account_id: 'acc_9a8b7c6d',
  amount: 10400,
  currency: 'USD',
  short_description: 'Two coffees',
  type: 'goods',
  reference_id: 'order-7f3a',
  fee: { app_fee: 400, fee_payer: 'payee_from_app', processing_fee: 332 },
  state: 'captured',
  amount_refunded: 500,
  amount_charged_back: 0,
  refunds: [{ id: 'rfd_1a2b3c4d', amount: 500, reason: 'Customer returned one coffee', state: 'succeeded', created_at: '2026-12-01T10:05:00.000Z' }],
  agent: null,
  provider: { name: paymentProviderName, checkout_id: '3141592653' },
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:05:00.000Z',
};

export const checkoutResponse = z
  .object({
    id: z.string(),
    unique_id: z.string(),
    account_id: z.string(),
    amount: z.int(),
    currency,
    short_description: z.string(),
    type: z.enum(checkoutTypes),
    reference_id: z.optional(z.string()),
    fee: z.object({ app_fee: z.int(), fee_payer: feePayer, processing_fee: z.int() }),
    state: z.enum(checkoutStates),
    amount_refunded: z.int(),
    amount_charged_back: z.int(),
    refunds: z.array(refundResponse),
    agent: z.nullable(z.object({ mandate_id: z.string(), name: z.string() })).register(z.globalRegistry, {
      description: 'The agent that created it under a mandate; null for any other checkout.',
    }),
    provider: z.object({ name: z.literal(paymentProviderName), checkout_id: z.string() }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .register(z.globalRegistry, { id: 'Checkout', examples: [checkoutExample] });

export const checkoutListResponse = z
  .object({ data: z.array(checkoutResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, {
    id: 'CheckoutList',
    description: 'Newest first; pass next_cursor as cursor for the next page (null: no more).',
    examples: [{ data: [checkoutExample], next_cursor: null }],
  });

export function checkoutJson(checkout: Checkout): z.output<typeof checkoutResponse> {
  return {
    id: checkout.id,
    unique_id: checkout.uniqueId,
    account_id: checkout.accountId,
    amount: checkout.amount,
    currency: checkout.currency,
    short_description: checkout.shortDescription,
    type: checkout.type,
    ...(checkout.referenceId === undefined ? {} : { reference_id: checkout.referenceId }),
    fee: { app_fee: checkout.fee.appFee, fee_payer: checkout.fee.feePayer, processing_fee: checkout.fee.processingFee },
    state: checkout.state,
    amount_refunded: checkout.amountRefunded,
    amount_charged_back: checkout.amountChargedBack,
    refunds: refundsOf(checkout).map((refund) => ({
      id: refund.id,
      amount: refund.amount ?? 0,
      reason: refund.reason ?? '',
      state: refund.state,
      created_at: refund.createdAt,
    })),
    agent: checkout.agent ? { mandate_id: checkout.agent.mandateId, name: checkout.agent.name } : null,
    // Stored from the adapter's name, which the wiring checks against paymentProviderName.
    provider: { name: checkout.provider.name as typeof paymentProviderName, checkout_id: checkout.provider.checkoutId },
    created_at: checkout.createdAt,
    updated_at: checkout.updatedAt,
  };
}

/**
 * The use case's input from a validated `POST /v1/checkouts` body. `raw` is the body as sent:
 * an agent may not send `fee` or `payment_method` (the schema fills `fee`'s default), a payer must
 * send `payment_method`. An agent's card is its mandate's (the use case sets it).
 */
export function createCheckoutInputFrom(body: z.output<typeof createCheckoutRequest>, raw: unknown = body, agent = false): CreateCheckoutInput {
  const sent = (name: string) => typeof raw === 'object' && raw !== null && Object.hasOwn(raw, name);
  const order = {
    uniqueId: body.unique_id,
    accountId: body.account_id,
    amount: body.amount,
    currency: body.currency,
    shortDescription: body.short_description,
    type: body.type,
    ...(body.reference_id === undefined ? {} : { referenceId: body.reference_id }),
  };
  if (agent) {
    for (const name of ['payment_method', 'fee']) {
      if (sent(name)) throw new InvalidRequestError('unknown_parameter', `An agent may not send ${name}: its mandate sets it`, { param: name });
    }
    return { ...order, fee: { appFee: 0, feePayer: 'payee_from_app' }, creditCardId: '', autoCapture: true };
  }
  if (!body.payment_method) throw new InvalidRequestError('parameter_missing', 'payment_method is required', { param: 'payment_method' });
  return {
    ...order,
    fee: { appFee: body.fee.app_fee, feePayer: body.fee.fee_payer },
    creditCardId: body.payment_method.credit_card.id,
    autoCapture: body.payment_method.credit_card.auto_capture,
  };
}
