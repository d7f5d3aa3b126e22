import { getWebhookEndpoint } from '#functions/app/webhook-endpoints.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { webhookEndpointJson } from '#functions/http/schemas/webhooks.ts';
import { webhookEndpoints } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'webhook_endpoints.get', async ({ pathParameters }) => {
  const endpoint = await getWebhookEndpoint({ endpoints: webhookEndpoints() }, pathParameters.id ?? '');
  return { statusCode: 200, body: webhookEndpointJson(endpoint) };
});
