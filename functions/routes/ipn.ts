// The provider's instant payment notifications (no bearer token: the route token is the credential).
import { ipnAcknowledgement, ipnRouteId, ipnRoutePath, providerNotificationForm } from '#functions/http/schemas/ipn.ts';
import type { RouteDefinition } from './route-definition.ts';

export const ipnRoutes = [
  {
    id: ipnRouteId,
    method: 'POST',
    path: ipnRoutePath,
    handler: 'ipn-receive',
    access: 'ipn',
    // Checks the route token against the route secrets, then queues the notice for the processor.
    uses: ['platform-secret', 'ipn-queue:send'],
    summary: "The provider's IPN callback: acknowledged once queued; the checkout is then fetched from the provider",
    bodyType: 'form',
    body: providerNotificationForm,
    success: { status: 200, schema: ipnAcknowledgement },
    errors: ['resource_missing'],
  },
] as const satisfies readonly RouteDefinition[];
