// The composition root: builds each adapter once per process (a Lambda's cold
// start, or the local runtime) from the configuration, choosing AWS services or
// their embedded stand-ins. Handlers take what they need from here; nothing is
// built until a handler first asks for it.
import { readFile } from 'node:fs/promises';
import { config, requireSetting } from './config.ts';
import { systemClock } from './ports/clock.ts';
import type { TokenVault } from './ports/token-vault.ts';
import type { PlatformSecrets } from './ports/secrets.ts';
import { createTokenVerifier, type TokenVerifier } from './adapters/jwt/token-verifier.ts';
import { createDynamoDbClients } from './adapters/dynamodb/clients.ts';
import { DynamoDbMerchantRepository } from './adapters/dynamodb/merchant-repository.ts';
import { DynamoDbCheckoutRepository } from './adapters/dynamodb/checkout-repository.ts';
import { DynamoDbIdempotencyStore } from './adapters/dynamodb/idempotency-store.ts';
import { secretsManagerPlatformSecrets } from './adapters/secrets/secrets-manager-platform-secrets.ts';
import { fileBackedPlatformSecrets } from './adapters/secrets/file-backed-platform-secrets.ts';
import { kmsTokenVault } from './adapters/token-vault/kms-token-vault.ts';
import { localTokenVault } from './adapters/token-vault/local-token-vault.ts';
import { wepayClientFromConfig } from './adapters/wepay/wepay-client.ts';
import type { CheckoutDeps } from './app/checkouts.ts';
import type { IdempotencyDeps } from './app/idempotency.ts';

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export const tokenVerifier = once<TokenVerifier>(() => createTokenVerifier(config().auth));

const dynamoDb = once(() => {
  const cfg = config();
  return createDynamoDbClients({
    region: cfg.region,
    endpoint: cfg.tables.endpoint,
    // dynalite accepts any credentials; setting them keeps the SDK from searching the machine for real ones.
    ...(cfg.runtime === 'local' ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
});

const repository = { client: () => dynamoDb().documentClient, table: () => config().tables.payments };
export const merchantRepository = once(() => new DynamoDbMerchantRepository({ client: repository.client(), tableName: repository.table() }));
export const checkoutRepository = once(() => new DynamoDbCheckoutRepository({ client: repository.client(), tableName: repository.table() }));

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
export const paymentProvider = once(() =>
  wepayClientFromConfig(config(), { platformCredentials: () => platformSecrets().platformCredentials() }),
);

export async function checkoutDeps(): Promise<CheckoutDeps> {
  return {
    checkouts: checkoutRepository(),
    merchants: merchantRepository(),
    provider: paymentProvider(),
    vault: await tokenVault(),
    clock: systemClock,
  };
}

export const idempotencyDeps = once<IdempotencyDeps>(() => {
  const cfg = config();
  return {
    store: new DynamoDbIdempotencyStore({ client: dynamoDb().documentClient, tableName: cfg.tables.idempotency }),
    clock: systemClock,
    settings: cfg.idempotency,
  };
});
