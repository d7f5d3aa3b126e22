// The AWS runtime's token vault: data keys generated and unwrapped by one KMS key.
import { KmsKeyringNode } from '@aws-crypto/kms-keyring-node';
import { KMS } from '@aws-sdk/client-kms';
import {
  EnvelopeTokenVault,
  defaultMaterialsCacheOptions,
  type MaterialsCacheOptions,
} from '#functions/adapters/token-vault/envelope-token-vault.ts';

export interface KmsTokenVaultOptions {
  /** The key's full ARN (config: TOKEN_KMS_KEY_ARN); an ARN, not an alias, so decrypt is pinned to this key. */
  keyArn: string;
  region: string;
  /** Injected by tests (aws-sdk-client-mock) and the bench; built once per cold start otherwise. */
  kmsClient?: KMS;
  cache?: MaterialsCacheOptions;
}

export function kmsTokenVault({ keyArn, region, kmsClient, cache = defaultMaterialsCacheOptions }: KmsTokenVaultOptions): EnvelopeTokenVault {
  const client = kmsClient ?? new KMS({ region });
  // The keyring asks for a client per region parsed from the key ARN; there is one
  // key, so one client, created outside the handler and reused while warm.
  const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => client });
  return new EnvelopeTokenVault(keyring, cache);
}
