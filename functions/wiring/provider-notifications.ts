// The provider's notification reader alone (its name and parseNotification): the IPN
// receiver then needs no provider client, vault, storage client or tracer, which
// ./provider.ts brings (its bundle test: test/unit/architecture/ipn-receive-bundle.test.ts).
import { paymentProviderName } from '#functions/config.ts';
import { parseWePayNotification } from '#functions/adapters/providers/wepay/notifications.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';

export const notificationReader: Pick<PaymentProvider, 'name' | 'parseNotification'> = {
  name: paymentProviderName,
  parseNotification: parseWePayNotification,
};
