import { config } from '#functions/config.ts';
import { quoteFees, quoteFeesFromPolicy } from '#functions/domain/fees.ts';
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { feeQuoteJson } from '#functions/http/schemas/fees.ts';
import { serviceRoutes } from '#functions/routes/service.ts';

export const handler = unauditedHttpHandler(serviceRoutes, 'fees.quote', async ({ body }) => {
  const processingFeeRate = body.processing_fee_rate ?? config().processingFeeRate;
  const quote =
    'price' in body
      ? quoteFeesFromPolicy({
          currency: body.currency,
          price: body.price,
          policy: { appFeeBps: body.policy.app_fee_bps, payerShareBps: body.policy.payer_share_bps },
          processingFeeRate,
        })
      : quoteFees({
          currency: body.currency,
          amount: body.amount,
          appFee: body.app_fee,
          feePayer: body.fee_payer ?? 'payee_from_app',
          processingFeeRate,
        });
  return { statusCode: 200, body: feeQuoteJson(quote) };
});
