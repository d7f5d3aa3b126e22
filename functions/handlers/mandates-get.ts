import { getMandate } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { mandateJson } from '#functions/http/schemas/mandates.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { mandateRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

export const handler = httpHandler(mandateRoutes, 'mandates.get', async ({ principal, pathParameters }) => {
  const mandate = await getMandate({ mandates: mandateRepository() }, principal, pathParameters.id ?? '');
  return { statusCode: 200, body: mandateJson(mandate, systemClock.now()) };
});
