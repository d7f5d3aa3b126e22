// The local runtime's composition root: the configuration its handlers read (the
// environment, with the runtime's own endpoints, table names and paths on top,
// never written into process.env) and the local adapters standing in for AWS's
// (the secrets file, the raw AES keyring, the in-process queues), handed to
// functions/wiring before the first request.
import { config, parseConfig, useConfigSource } from '#functions/config.ts';
import { installRuntimeParts } from '#functions/wiring/runtime-parts.ts';
import { fileBackedPlatformSecrets } from './adapters/file-backed-platform-secrets.ts';
import { inProcessDeliveryQueue } from './adapters/in-process-delivery-queue.ts';
import { inProcessQueue, localIpnQueueName } from './adapters/in-process-queue.ts';
import { localTokenVault } from './adapters/local-token-vault.ts';

export interface LocalComposition {
  dataDir: string;
  dynamoDbEndpoint: string;
  tables: { payments: string; idempotency: string; audit: string };
  issuer: { url: string; jwksPath: string };
  platformSecretsFile: string;
  /** The raw AES key standing in for the KMS key. */
  tokenKey: Buffer;
  providerBaseUrl: string;
  /** Multiplies webhook retry delays, as the sandbox's lifecycle delays. */
  timeScale: number;
  api: { url: string; port: number };
  /** Whether checkouts get a callback URI (IPN_BASE_URL, the API's own URL). */
  ipnCallbacks: boolean;
}

export function composeLocalRuntime(local: LocalComposition): void {
  useConfigSource(() =>
    parseConfig({
      // Unless set, browsers may call from the API's own origin and http://localhost:$PORT.
      CORS_ALLOWED_ORIGINS: `${local.api.url},http://localhost:${local.api.port}`,
      ...process.env,
      PAYMENTS_RUNTIME: 'local',
      PAYMENTS_DATA_DIR: local.dataDir,
      DYNAMODB_ENDPOINT: local.dynamoDbEndpoint,
      PAYMENTS_TABLE_NAME: local.tables.payments,
      IDEMPOTENCY_TABLE_NAME: local.tables.idempotency,
      AUDIT_TABLE_NAME: local.tables.audit,
      AUTH_ISSUER: local.issuer.url,
      AUTH_JWKS: local.issuer.jwksPath,
      PROVIDER_BASE_URL: local.providerBaseUrl,
      SANDBOX_TIME_SCALE: String(local.timeScale),
      IPN_BASE_URL: local.ipnCallbacks ? local.api.url : undefined,
    }),
  );
  const ipnQueue = inProcessQueue(localIpnQueueName);
  installRuntimeParts({
    platformSecrets: fileBackedPlatformSecrets({ path: local.platformSecretsFile, maxAgeSeconds: config().secretsCacheSeconds }),
    vault: localTokenVault({ keyBytes: local.tokenKey }),
    ipnQueue: { enqueue: async (notice) => ipnQueue.send(JSON.stringify(notice)) },
    deliveryQueue: inProcessDeliveryQueue(),
    eventBus: undefined,
  });
}
