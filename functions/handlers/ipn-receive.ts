import { receiveIpn } from '#functions/app/ipn.ts';
// Not httpHandler: the IPN route is never audited (the processor audits what changes), so its bundle needs no storage client.
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { ipnQueue } from '#functions/wiring/ipn.ts';
import { ipnRouteId } from '#functions/http/schemas/ipn.ts';
import { notificationReader } from '#functions/wiring/provider-notifications.ts';
import { platformSecrets } from '#functions/wiring/secrets.ts';
import { ipnRoutes } from '#functions/routes/ipn.ts';

export const handler = unauditedHttpHandler(ipnRoutes, ipnRouteId, async ({ body, pathParameters }) => {
  await receiveIpn(
    { provider: notificationReader, credentials: () => platformSecrets().platformCredentials(), queue: ipnQueue(), clock: systemClock },
    pathParameters.route_token ?? '',
    body,
  );
  return { statusCode: 200, body: { status: 'received' } };
});
