// The provider's notification reader alone (its name and parseNotification): the IPN
// receiver then needs no provider client, vault or storage client, which
// ./provider.ts brings (its bundle test: test/unit/architecture/ipn-receive-bundle.test.ts).
import type { paymentProviderName } from '#functions/config.ts';
import { parseWePayNotification } from '#functions/adapters/providers/wepay/notifications.ts';
import { WEPAY_PROVIDER_NAME } from '#functions/adapters/providers/wepay/provider-name.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';

export const notificationReader: Pick<PaymentProvider, 'name' | 'parseNotification'> = {
  // The route table and the API document name the provider at build time: a reader of another
  // provider's notices fails to compile here (checked by the type, not at every cold start).
  name: WEPAY_PROVIDER_NAME satisfies typeof paymentProviderName,
  parseNotification: parseWePayNotification,
};
