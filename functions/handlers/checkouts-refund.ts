import { performCheckoutAction } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';

export const handler = httpHandler('checkouts.refund', async ({ body, principal, pathParameters, requestId }) => {
  const id = pathParameters.id ?? '';
  return idempotentResponse(idempotencyDeps(), { principal, uniqueId: body.unique_id, operation: `checkouts.refund:${id}`, input: body, requestId }, async () => {
    const checkout = await performCheckoutAction(await checkoutDeps(), principal, id, { action: 'refund', reason: body.reason, ...(body.amount === undefined ? {} : { amount: body.amount }) });
    return { statusCode: 200, body: checkoutJson(checkout) };
  });
});
