import { createCheckout } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { checkoutJson, createCheckoutInputFrom } from '#functions/http/schemas/checkouts.ts';
import { businessMetric, countMetric } from '#functions/observability.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';

export const handler = httpHandler('checkouts.create', async ({ body, principal, requestId, sourceIp }) =>
  idempotentResponse(idempotencyDeps(), { principal, uniqueId: body.unique_id, operation: 'checkouts.create', input: body, requestId }, async () => {
    const checkout = await createCheckout(await checkoutDeps(), principal, { ...createCheckoutInputFrom(body), sourceIp });
    countMetric(businessMetric.checkoutCreated);
    return { statusCode: 201, body: checkoutJson(checkout) };
  }),
);
