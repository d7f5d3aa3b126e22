import { createCheckout } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { checkoutJson, createCheckoutInputFrom } from '#functions/http/schemas/checkouts.ts';
import { checkoutDeps, idempotencyDeps } from '#functions/wiring.ts';

export const handler = httpHandler('checkouts.create', async ({ body, principal, requestId }) =>
  idempotentResponse(idempotencyDeps(), { principal, uniqueId: body.unique_id, operation: 'checkouts.create', input: body, requestId }, async () => {
    const checkout = await createCheckout(await checkoutDeps(), principal, createCheckoutInputFrom(body));
    return { statusCode: 201, body: checkoutJson(checkout) };
  }),
);
