import { deleteWebhookEndpoint } from '#functions/app/webhook-endpoints.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { webhookEndpoints } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'webhook_endpoints.delete', async ({ pathParameters }) => {
  const id = pathParameters.id ?? '';
  await deleteWebhookEndpoint({ endpoints: webhookEndpoints() }, id);
  return { statusCode: 200, body: { id, deleted: true } };
});
