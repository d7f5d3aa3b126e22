// Composition root, provider part: the payment provider's adapter (WePay's client) with the
// token vault (./vault.ts) and the platform's secrets (./secrets.ts), built once per
// process. Only routes that call the provider import this.
import { config, paymentProviderName } from '#functions/config.ts';
import { recordProviderCall } from '#functions/observability.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';
import { wepayClientFromConfig } from '#functions/adapters/providers/wepay/wepay-client.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import type { CheckoutDeps } from '#functions/app/checkouts.ts';
import { callbackUriFor } from '#functions/app/ipn.ts';
import { once } from './once.ts';
import { platformSecrets } from './secrets.ts';
import { tokenVault } from './vault.ts';
import { checkoutRepository, mandateRepository, merchantRepository, velocityStore } from './storage.ts';

// merchants-create seals the merchant's token with the vault it gets here.
export { tokenVault };

// The platform secret is read on the first call that needs it (registering a user), so
// functions that only act with merchants' tokens need neither the secret nor its setting.
export const paymentProvider = once<PaymentProvider>(() => {
  // Each attempt's latency as a metric and a log line: the picture of a slow provider call (docs/observability.md).
  const provider = wepayClientFromConfig(config(), { platformCredentials: () => platformSecrets().platformCredentials() }, { onAttempt: recordProviderCall });
  // The route table and the API document name the provider at build time (config.ts): an adapter
  // of another provider fails to compile here.
  provider.name satisfies typeof paymentProviderName;
  return provider;
});

export async function checkoutDeps(): Promise<CheckoutDeps> {
  return {
    checkouts: checkoutRepository(),
    merchants: merchantRepository(),
    provider: paymentProvider(),
    vault: await tokenVault(),
    clock: systemClock,
    // An intent belongs to its request as long as the request holds its idempotency key.
    intentLeaseMs: config().idempotency.lockSeconds * 1000,
    velocity: { store: velocityStore(), clock: systemClock, limits: config().velocity },
    mandates: mandateRepository(),
    callbackUri: async () => {
      const { ipnBaseUrl } = config();
      return ipnBaseUrl === undefined ? undefined : callbackUriFor(ipnBaseUrl, paymentProviderName, await platformSecrets().platformCredentials());
    },
  };
}
