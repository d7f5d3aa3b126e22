import { listWebhookEndpoints } from '#functions/app/webhook-endpoints.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { webhookEndpointJson } from '#functions/http/schemas/webhooks.ts';
import { webhookEndpoints } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'webhook_endpoints.list', async ({ query }) => {
  const page = await listWebhookEndpoints({ endpoints: webhookEndpoints() }, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  return { statusCode: 200, body: { data: page.items.map((e) => webhookEndpointJson(e)), next_cursor: page.nextCursor } };
});
