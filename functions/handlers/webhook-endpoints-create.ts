import { createWebhookEndpoint } from '#functions/app/webhook-endpoints.ts';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { webhookEndpointJson } from '#functions/http/schemas/webhooks.ts';
import { webhookEndpointDeps } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'webhook_endpoints.create', async ({ body }) => {
  // A missing url or events is parameter_invalid, as a wrong one is.
  if (body.url === undefined) throw new InvalidRequestError('parameter_invalid', 'url is required', { param: 'url' });
  if (body.events === undefined) throw new InvalidRequestError('parameter_invalid', 'events is required', { param: 'events' });
  const { endpoint, secret } = await createWebhookEndpoint(await webhookEndpointDeps(), { url: body.url, events: body.events, description: body.description });
  return { statusCode: 201, body: webhookEndpointJson(endpoint, secret) };
});
