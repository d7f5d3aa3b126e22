// The provider's instant payment notifications (no bearer token: the route token is the credential).
import { ipnAcknowledgement, wepayIpnForm } from '#functions/http/schemas/ipn.ts';
import type { RouteDefinition } from './route-definition.ts';

export const ipnRoutes = [
  {
    id: 'ipn.wepay',
    method: 'POST',
    path: '/v1/ipn/wepay/{route_token}',
    handler: 'ipn-receive',
    access: 'ipn',
    // Checks the route token against the route secrets, then queues the notice for the processor.
    uses: ['platform-secret', 'ipn-queue:send'],
    summary: "WePay's IPN callback: acknowledged once queued; the checkout is then fetched from the provider",
    bodyType: 'form',
    body: wepayIpnForm,
    success: { status: 200, schema: ipnAcknowledgement },
    errors: ['resource_missing'],
  },
] as const satisfies readonly RouteDefinition[];
