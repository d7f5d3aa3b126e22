// Composition root, secrets part: the platform's credentials (Secrets Manager in
// AWS), cached per process. The IPN receiver imports only this and the queue.
import { config, requireSetting } from '#functions/config.ts';
import type { PlatformSecrets } from '#functions/ports/secrets.ts';
import { secretsManagerPlatformSecrets } from '#functions/adapters/secrets/secrets-manager-platform-secrets.ts';
import { once } from './once.ts';
import { runtimePart } from './runtime-parts.ts';

export const platformSecrets = once<PlatformSecrets>(() =>
  runtimePart('platformSecrets', () => {
    const cfg = config();
    return secretsManagerPlatformSecrets({ secretId: requireSetting(cfg.platformSecretId, 'PLATFORM_SECRET_ID'), maxAgeSeconds: cfg.secretsCacheSeconds });
  }),
);
