import { listEvents } from '#functions/app/events/queries.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { eventJson } from '#functions/http/schemas/events.ts';
import { eventStore } from '#functions/wiring/events.ts';
import { eventRoutes } from '#functions/routes/events.ts';

export const handler = httpHandler(eventRoutes, 'events.list', async ({ query }) => {
  const page = await listEvents({ events: eventStore() }, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    ...(query.type === undefined ? {} : { type: query.type }),
  });
  return { statusCode: 200, body: { data: page.items.map(eventJson), next_cursor: page.nextCursor } };
});
