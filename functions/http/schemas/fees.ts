import * as z from 'zod/mini';
import type { FeeQuote } from '#functions/domain/fees.ts';
import { basisPoints, currency, feePayer, feeRate, nonNegativeMinorUnits, positiveMinorUnits } from './fields.ts';

export const explicitFeeQuoteRequest = z
  .strictObject({
    currency,
    amount: positiveMinorUnits('amount'),
    app_fee: nonNegativeMinorUnits('app_fee'),
    fee_payer: z.optional(feePayer),
    processing_fee_rate: z.optional(feeRate),
  })
  .register(z.globalRegistry, {
    id: 'ExplicitFeeQuoteRequest',
    description: 'Fees of a given amount and app fee. fee_payer defaults to payee_from_app; app_fee may not exceed 20% of amount.',
    examples: [{ currency: 'USD', amount: 10400, app_fee: 400, fee_payer: 'payee_from_app', processing_fee_rate: { bps: 300, fixed: 0 } }],
  });

export const policyFeeQuoteRequest = z
  .strictObject({
    currency,
    price: positiveMinorUnits('price'),
    policy: z.strictObject({
      app_fee_bps: basisPoints('policy.app_fee_bps'),
      payer_share_bps: basisPoints('policy.payer_share_bps'),
    }),
    processing_fee_rate: z.optional(feeRate),
  })
  .register(z.globalRegistry, {
    id: 'PolicyFeeQuoteRequest',
    description:
      'The platform advertises app_fee_bps of the price; payer_share_bps of the price is added to what the payer pays: ' +
      'amount = price + round(price * payer_share_bps / 10000), app_fee = round(price * app_fee_bps / 10000), fee_payer = payee_from_app.',
    examples: [{ currency: 'USD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: 100 }, processing_fee_rate: { bps: 300, fixed: 0 } }],
  });

export const feeQuoteRequest = z
  .union([explicitFeeQuoteRequest, policyFeeQuoteRequest])
  .register(z.globalRegistry, { description: 'Explicit mode (amount and app_fee) or policy mode (price and policy).' });

export const feeQuoteResponse = z
  .object({
    currency,
    fee_payer: feePayer,
    amount: z.int(),
    app_fee: z.int(),
    processing_fee: z.int(),
    payer_total: z.int(),
    merchant_net: z.int(),
    platform_net: z.int(),
  })
  .register(z.globalRegistry, {
    id: 'FeeQuote',
    description: 'What each party pays and gets, in minor units. Rounding is half-up to the minor unit.',
    examples: [
      {
        currency: 'USD',
        fee_payer: 'payee_from_app',
        amount: 10100,
        app_fee: 400,
        processing_fee: 303,
        payer_total: 10100,
        merchant_net: 9700,
        platform_net: 97,
      },
    ],
  });

export function feeQuoteJson(quote: FeeQuote): z.output<typeof feeQuoteResponse> {
  return {
    currency: quote.currency,
    fee_payer: quote.feePayer,
    amount: quote.amount,
    app_fee: quote.appFee,
    processing_fee: quote.processingFee,
    payer_total: quote.payerTotal,
    merchant_net: quote.merchantNet,
    platform_net: quote.platformNet,
  };
}
