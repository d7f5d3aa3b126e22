import { receiveIpn } from '#functions/app/ipn.ts';
// Not ./http-handler.ts: the IPN route is never audited (the processor audits what changes), so its bundle needs no storage client.
import { routePipeline } from '#functions/http/route-pipeline.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { ipnQueue } from '#functions/wiring/ipn.ts';
import { platformSecrets } from '#functions/wiring/secrets.ts';

export const handler = routePipeline('ipn.wepay', async ({ body, pathParameters }) => {
  await receiveIpn(
    { credentials: () => platformSecrets().platformCredentials(), queue: ipnQueue(), clock: systemClock },
    pathParameters.route_token ?? '',
    body.checkout_id,
  );
  return { statusCode: 200, body: { status: 'received' } };
});
