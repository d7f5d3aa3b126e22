import { createMandate } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { mandateJson, newMandateFrom } from '#functions/http/schemas/mandates.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { paymentProvider } from '#functions/wiring/provider.ts';
import { mandateRepository, merchantRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

// Never replayed: the answer holds the token, which exists nowhere else.
export const handler = httpHandler(mandateRoutes, 'mandates.create', async ({ body, principal }) => {
  const { mandate, token } = await createMandate(
    { mandates: mandateRepository(), merchants: merchantRepository(), provider: paymentProvider(), clock: systemClock },
    principal,
    newMandateFrom(body),
  );
  return { statusCode: 201, body: { ...mandateJson(mandate, systemClock.now()), token } };
});
