// Composition root, provider part: the token vault (KMS in AWS, a raw AES key
// locally), the platform's secrets (Secrets Manager or a local file) and the payment
// provider's adapter (WePay's client), built once per process. Only routes that call the provider import this.
// First: these functions call out of AWS, where X-Ray subsegments earn their cost.
import './tracing.ts';
import { readFile } from 'node:fs/promises';
import { config, paymentProviderName, requireSetting } from '#functions/config.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';
import type { TokenVault } from '#functions/ports/token-vault.ts';
import type { PlatformSecrets } from '#functions/ports/secrets.ts';
import { secretsManagerPlatformSecrets } from '#functions/adapters/secrets/secrets-manager-platform-secrets.ts';
import { fileBackedPlatformSecrets } from '#functions/adapters/secrets/file-backed-platform-secrets.ts';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { localTokenVault } from '#functions/adapters/token-vault/local-token-vault.ts';
import { wepayClientFromConfig } from '#functions/adapters/providers/wepay/wepay-client.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import type { CheckoutDeps } from '#functions/app/checkouts.ts';
import { callbackUriFor } from '#functions/app/ipn.ts';
import { once } from './once.ts';
import { checkoutRepository, mandateRepository, merchantRepository, velocityStore } from './storage.ts';

export const platformSecrets = once<PlatformSecrets>(() => {
  const cfg = config();
  return cfg.runtime === 'aws'
    ? secretsManagerPlatformSecrets({ secretId: requireSetting(cfg.platformSecretId, 'PLATFORM_SECRET_ID'), maxAgeSeconds: cfg.secretsCacheSeconds })
    : fileBackedPlatformSecrets({ path: cfg.platformSecretsFile, maxAgeSeconds: cfg.secretsCacheSeconds });
});

export const tokenVault = once<Promise<TokenVault>>(async () => {
  const cfg = config();
  if (cfg.runtime === 'aws') return kmsTokenVault({ keyArn: requireSetting(cfg.tokenKmsKeyArn, 'TOKEN_KMS_KEY_ARN'), region: cfg.region });
  return localTokenVault({ keyBytes: await readFile(cfg.localTokenKeyFile) });
});

// The platform secret is read on the first call that needs it (registering a user), so
// functions that only act with merchants' tokens need neither the secret nor its setting.
export const paymentProvider = once<PaymentProvider>(() => {
  const provider = wepayClientFromConfig(config(), { platformCredentials: () => platformSecrets().platformCredentials() });
  // The route table and the API document name the provider at build time (config.ts).
  if (provider.name !== paymentProviderName) throw new Error(`The provider adapter is ${provider.name}, the build expects ${paymentProviderName}`);
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
      return ipnBaseUrl === undefined ? undefined : callbackUriFor(ipnBaseUrl, paymentProvider().name, await platformSecrets().platformCredentials());
    },
  };
}
