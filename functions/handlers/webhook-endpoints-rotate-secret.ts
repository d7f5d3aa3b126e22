import { rotateWebhookSecret } from '#functions/app/webhook-endpoints.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { webhookEndpointJson } from '#functions/http/schemas/webhooks.ts';
import { webhookEndpointDeps } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'webhook_endpoints.rotate_secret', async ({ pathParameters }) => {
  const { endpoint, secret } = await rotateWebhookSecret(await webhookEndpointDeps(), pathParameters.id ?? '');
  return { statusCode: 200, body: webhookEndpointJson(endpoint, secret) };
});
