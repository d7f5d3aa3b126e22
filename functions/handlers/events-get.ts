import { getEvent } from '#functions/app/events/queries.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { eventWithDeliveriesJson } from '#functions/http/schemas/events.ts';
import { eventStore } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'events.get', async ({ pathParameters }) => {
  return { statusCode: 200, body: eventWithDeliveriesJson(await getEvent({ events: eventStore() }, pathParameters.id ?? '')) };
});
