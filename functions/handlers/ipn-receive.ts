import { receiveIpn } from '#functions/app/ipn.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { ipnQueue } from '#functions/wiring/ipn.ts';
import { ipnRouteId } from '#functions/http/schemas/ipn.ts';
import { paymentProvider, platformSecrets } from '#functions/wiring/provider.ts';

export const handler = httpHandler(ipnRouteId, async ({ body, pathParameters }) => {
  await receiveIpn(
    { provider: paymentProvider(), credentials: () => platformSecrets().platformCredentials(), queue: ipnQueue(), clock: systemClock },
    pathParameters.route_token ?? '',
    body,
  );
  return { statusCode: 200, body: { status: 'received' } };
});
