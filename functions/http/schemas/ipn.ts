import * as z from 'zod/mini';
import { paymentProviderName } from '#functions/config.ts';

/** The provider's notification route: named after the provider, so its callback URIs stay as they were handed out. */
export const ipnRouteId = `ipn.${paymentProviderName}` as const;
export const ipnRoutePath = `/v1/ipn/${paymentProviderName}/{route_token}` as const;

/**
 * The provider's notification form. Its fields are the provider's: its adapter reads
 * them (PaymentProvider.parseNotification), and anything else it may add is ignored
 * (the body is only a hint).
 */
export const providerNotificationForm = z.looseObject({}).register(z.globalRegistry, {
  id: 'ProviderNotification',
  description:
    "The payment provider's instant payment notification, sent to the callback URI given at checkout creation. " +
    "It names the checkout that changed; its state is always fetched from the provider, never taken from this body.",
  examples: [{ checkout_id: '1234567890' }],
});

export const ipnAcknowledgement = z
  .object({ status: z.literal('received') })
  .register(z.globalRegistry, { id: 'IpnAcknowledgement', description: 'The notice is queued; the checkout is then fetched from the provider.', examples: [{ status: 'received' }] });
