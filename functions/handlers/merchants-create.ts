import { onboardMerchant } from '#functions/app/merchants.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { merchantAccountJson } from '#functions/http/schemas/merchants.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { paymentProvider, tokenVault } from '#functions/wiring/provider.ts';
import { merchantRepository } from '#functions/wiring/storage.ts';
import { merchantRoutes } from '#functions/routes/merchants.ts';

export const handler = httpHandler(merchantRoutes, 'merchants.create', async ({ body, principal, sourceIp, event }) => {
  const account = await onboardMerchant(
    { merchants: merchantRepository(), provider: paymentProvider(), vault: await tokenVault(), clock: systemClock },
    principal,
    {
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      account: body.account,
      originalIp: sourceIp,
      originalDevice: event.requestContext?.identity?.userAgent ?? 'unknown',
    },
  );
  return { statusCode: 201, body: merchantAccountJson(account) };
});
