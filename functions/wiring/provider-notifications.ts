// The provider's notification reader alone (its name and parseNotification): the IPN
// receiver then needs no provider client, vault or storage client, which
// ./provider.ts brings (its bundle test: test/unit/architecture/ipn-receive-bundle.test.ts).
import { paymentProviderName } from '#functions/config.ts';
import { parseWePayNotification } from '#functions/adapters/providers/wepay/notifications.ts';
import { WEPAY_PROVIDER_NAME } from '#functions/adapters/providers/wepay/provider-name.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';

// As ./provider.ts checks its client: the route table and the API document name the provider at build time.
if (WEPAY_PROVIDER_NAME !== paymentProviderName) throw new Error(`The notification reader is ${WEPAY_PROVIDER_NAME}'s, the build expects ${paymentProviderName}`);

export const notificationReader: Pick<PaymentProvider, 'name' | 'parseNotification'> = {
  name: paymentProviderName,
  parseNotification: parseWePayNotification,
};
