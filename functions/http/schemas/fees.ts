import { z } from 'zod';
import type { FeeQuote } from '#functions/domain/fees.ts';
import { basisPoints, currency, feePayer, feeRate, nonNegativeMinorUnits, positiveMinorUnits } from './fields.ts';

export const explicitFeeQuoteRequest = z
  .strictObject({
    currency,
    amount: positiveMinorUnits('amount'),
    app_fee: nonNegativeMinorUnits('app_fee'),
    fee_payer: feePayer.optional(),
    processing_fee_rate: feeRate.optional(),
  })
  .meta({ id: 'ExplicitFeeQuoteRequest', description: 'Fees of a given amount and app fee.' });

export const policyFeeQuoteRequest = z
  .strictObject({
    currency,
    price: positiveMinorUnits('price'),
    policy: z.strictObject({
      app_fee_bps: basisPoints('policy.app_fee_bps'),
      payer_share_bps: basisPoints('policy.payer_share_bps'),
    }),
    processing_fee_rate: feeRate.optional(),
  })
  .meta({
    id: 'PolicyFeeQuoteRequest',
    description:
      'The platform advertises app_fee_bps of the price; payer_share_bps of the price is added to what the payer pays.',
  });

export const feeQuoteRequest = z.union([explicitFeeQuoteRequest, policyFeeQuoteRequest]);

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
  .meta({ id: 'FeeQuote' });

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
