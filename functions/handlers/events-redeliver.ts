import { redeliverEvent } from '#functions/app/events/queries.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { eventWithDeliveriesJson } from '#functions/http/schemas/events.ts';
import { deliveryQueue, eventStore, webhookEndpoints } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'events.redeliver', async ({ pathParameters }) => {
  const event = await redeliverEvent({ events: eventStore(), endpoints: webhookEndpoints(), queue: deliveryQueue() }, pathParameters.id ?? '');
  return { statusCode: 200, body: eventWithDeliveriesJson(event) };
});
