// Composition root, vault part: envelope encryption under the KMS key in AWS, for
// merchants' tokens and webhook signing secrets alike (one key, one format).
import { config, requireSetting } from '#functions/config.ts';
import type { TokenVault, WebhookSecretVault } from '#functions/ports/token-vault.ts';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { once } from './once.ts';
import { runtimePart } from './runtime-parts.ts';

// Pure (building happens on the first call): esbuild leaves the vault, KMS and the Encryption
// SDK out of a function that imports a wiring module holding this but never calls it.
export const tokenVault = /* @__PURE__ */ once<Promise<TokenVault & WebhookSecretVault>>(async () =>
  runtimePart('vault', () => {
    const cfg = config();
    return kmsTokenVault({ keyArn: requireSetting(cfg.tokenKmsKeyArn, 'TOKEN_KMS_KEY_ARN'), region: cfg.region });
  }),
);
