import { listMandates } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { mandateJson } from '#functions/http/schemas/mandates.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { mandateRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

export const handler = httpHandler(mandateRoutes, 'mandates.list', async ({ principal, query }) => {
  const page = await listMandates({ mandates: mandateRepository() }, principal, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  const now = systemClock.now();
  return { statusCode: 200, body: { data: page.items.map((m) => mandateJson(m, now)), next_cursor: page.nextCursor } };
});
