import { createCheckout } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutDeps, idempotencyDeps } from '#functions/wiring.ts';

export const handler = httpHandler('checkouts.create', async ({ body, principal, requestId }) =>
  idempotentResponse(idempotencyDeps(), { principal, uniqueId: body.unique_id, operation: 'checkouts.create', input: body, requestId }, async () => {
    const checkout = await createCheckout(await checkoutDeps(), principal, {
      uniqueId: body.unique_id,
      accountId: body.account_id,
      amount: body.amount,
      currency: body.currency,
      shortDescription: body.short_description,
      type: body.type,
      fee: { appFee: body.fee.app_fee, feePayer: body.fee.fee_payer },
      creditCardId: body.payment_method.credit_card.id,
      autoCapture: body.payment_method.credit_card.auto_capture,
      ...(body.reference_id === undefined ? {} : { referenceId: body.reference_id }),
    });
    return { statusCode: 201, body: checkoutJson(checkout) };
  }),
);
