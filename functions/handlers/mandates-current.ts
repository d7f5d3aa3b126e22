import { currentMandate } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { mandateJson } from '#functions/http/schemas/mandates.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { mandateRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

export const handler = httpHandler(mandateRoutes, 'mandates.current', async ({ principal }) => {
  const mandate = await currentMandate({ mandates: mandateRepository() }, principal);
  return { statusCode: 200, body: mandateJson(mandate, systemClock.now()) };
});
