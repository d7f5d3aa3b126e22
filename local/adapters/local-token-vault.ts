// The local runtime's token vault: a raw AES-256 wrapping key kept under .local/
// (see local/keyring.ts) stands in for KMS, behind the same envelope format.
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import {
  EnvelopeTokenVault,
  defaultMaterialsCacheOptions,
  type MaterialsCacheOptions,
} from '#functions/adapters/token-vault/envelope-token-vault.ts';

export interface LocalTokenVaultOptions {
  /** 32 random bytes: the wrapping key. */
  keyBytes: Uint8Array;
  cache?: MaterialsCacheOptions;
}

export function localTokenVault({ keyBytes, cache = defaultMaterialsCacheOptions }: LocalTokenVaultOptions): EnvelopeTokenVault {
  if (keyBytes.byteLength !== 32) throw new Error(`The local wrapping key must be 32 bytes, got ${keyBytes.byteLength}`);
  const keyring = new RawAesKeyringNode({
    // Namespace and name are written into each ciphertext and must match on open.
    keyNamespace: 'payments-local',
    keyName: 'token-key',
    // The keyring keeps a reference; copy so a caller zeroing its buffer cannot break the vault.
    unencryptedMasterKey: Uint8Array.from(keyBytes),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  return new EnvelopeTokenVault(keyring, cache);
}
