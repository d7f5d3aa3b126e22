import { revokeMandate } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { mandateJson } from '#functions/http/schemas/mandates.ts';
import { logger } from '#functions/observability.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { mandateRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

export const handler = httpHandler(mandateRoutes, 'mandates.revoke', async ({ principal, pathParameters }) => {
  const mandate = await revokeMandate({ mandates: mandateRepository(), clock: systemClock }, principal, pathParameters.id ?? '');
  logger.info('mandate revoked', { mandate_id: mandate.id });
  return { statusCode: 200, body: mandateJson(mandate, systemClock.now()) };
});
