import { receiveIpn } from '#functions/app/ipn.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { ipnQueue } from '#functions/wiring/ipn.ts';
import { platformSecrets } from '#functions/wiring/provider.ts';

export const handler = httpHandler('ipn.wepay', async ({ body, pathParameters }) => {
  await receiveIpn(
    { credentials: () => platformSecrets().platformCredentials(), queue: ipnQueue(), clock: systemClock },
    pathParameters.route_token ?? '',
    body.checkout_id,
  );
  return { statusCode: 200, body: { status: 'received' } };
});
