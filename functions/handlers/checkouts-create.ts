import { createCheckout } from '#functions/app/checkouts.ts';
import { hasRole } from '#functions/domain/principal.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { requestStateOf } from '#functions/http/middlewares.ts';
import { checkoutJson, createCheckoutInputFrom } from '#functions/http/schemas/checkouts.ts';
import { businessMetric, countMetric, logger } from '#functions/observability.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';

export const handler = httpHandler('checkouts.create', async ({ body, principal, requestId, sourceIp, event }) => {
  const agent = hasRole(principal, 'agent') && principal.mandateId !== undefined;
  // Every line of an agent's request, its refusal included, names the mandate (the agent's log).
  if (agent) logger.appendKeys({ mandate_id: principal.mandateId });
  // Validation (400) comes before idempotency: an agent's fee or payment_method, a payer's missing card.
  const input = createCheckoutInputFrom(body, requestStateOf(event).body, agent);
  // An agent's idempotency namespace is its mandate: (mandate, unique_id).
  const keyOwner = agent ? { ...principal, sub: principal.mandateId! } : principal;
  return idempotentResponse(idempotencyDeps(), { principal: keyOwner, uniqueId: body.unique_id, operation: 'checkouts.create', input: body, requestId }, async () => {
    const checkout = await createCheckout(await checkoutDeps(), principal, { ...input, sourceIp });
    countMetric(businessMetric.checkoutCreated);
    return { statusCode: 201, body: checkoutJson(checkout) };
  });
});
