import { createCheckoutOnce } from '#functions/app/checkouts.ts';
import { hasRole } from '#functions/domain/principal.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { creationResponse, idempotentResponse } from '#functions/http/idempotent-response.ts';
import { requestStateOf } from '#functions/http/middlewares.ts';
import { createCheckoutInputFrom } from '#functions/http/schemas/checkouts.ts';
import { businessMetric, countMetric, logger } from '#functions/observability.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';
import { checkoutRoutes } from '#functions/routes/checkouts.ts';

export const handler = httpHandler(checkoutRoutes, 'checkouts.create', async ({ body, principal, requestId, sourceIp, event }) => {
  const agent = hasRole(principal, 'agent') && principal.mandateId !== undefined;
  // Every line of an agent's request, its refusal included, names the mandate (the agent's log).
  if (agent) logger.appendKeys({ mandate_id: principal.mandateId });
  // Validation (400) comes before idempotency: an agent's fee or payment_method, a payer's missing card.
  const input = createCheckoutInputFrom(body, requestStateOf(event).body, agent);
  const result = await createCheckoutOnce(
    { ...(await checkoutDeps()), idempotency: idempotencyDeps() },
    { principal, input: { ...input, sourceIp }, asReceived: body },
    creationResponse(requestId),
  );
  if (!result.replayed && result.response.statusCode === 201) countMetric(businessMetric.checkoutCreated);
  return idempotentResponse(result);
});
