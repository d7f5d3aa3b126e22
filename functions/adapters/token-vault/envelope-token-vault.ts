// Envelope encryption of merchant access tokens with the AWS Encryption SDK.
// The keyring decides where data keys come from (KMS in AWS, a raw AES key
// locally); everything else (message format, context binding, caching) is the
// same code on both runtimes.
//
// KMS calls per request, with the caching materials manager below:
// - seal() (merchant onboarding): the cache holds ENCRYPT materials per
//   encryption context, i.e. per (merchant, purpose). A merchant is normally
//   sealed once, so each onboarding makes 1 GenerateDataKey call; sealing the
//   same merchant again within maxAge on a warm instance makes 0. Merchants
//   never share a data key because their contexts differ.
// - open() (every checkout): DECRYPT materials are cached by the ciphertext's
//   encrypted data key plus its context. A cold instance makes 1 Decrypt call;
//   a warm one makes 0 for a merchant whose token it opened within maxAge, and
//   1 for a merchant it has not seen yet. So a warm instance calls KMS at most
//   once per distinct merchant per maxAge, whatever the request count.
// bench/kms-calls.ts measures these figures.
//
// Imported from the SDK's packages, not its `@aws-crypto/client-node` umbrella: the
// umbrella is CommonJS re-exporting every keyring (the hierarchical keyring with its
// DynamoDB branch keystore, raw RSA), which esbuild cannot tree-shake; these packages
// ship ES modules and `sideEffects: false`, so a bundle keeps only what the vault uses.
import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/caching-materials-manager-node';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, type KeyringNode } from '@aws-crypto/material-management-node';
import type { TokenContext, TokenVault, WebhookSecretContext, WebhookSecretVault } from '#functions/ports/token-vault.ts';

export interface MaterialsCacheOptions {
  /** How long a data key stays usable from memory; bounds the exposure of a plaintext data key. */
  maxAgeMs: number;
  /** How many messages one cached encryption data key may seal before a fresh one is requested. */
  maxMessagesEncrypted: number;
  /** Entries kept (LRU); one per merchant context for sealing and one per ciphertext data key for opening. */
  capacity: number;
}

export const defaultMaterialsCacheOptions: MaterialsCacheOptions = {
  maxAgeMs: 5 * 60 * 1000,
  maxMessagesEncrypted: 100,
  capacity: 1000,
};

/** Raised when a token cannot be sealed or opened. Never carries the token or the data key. */
export class TokenVaultError extends Error {
  override readonly name = 'TokenVaultError';
}

// One wrapping key per message: a ciphertext carrying more encrypted data keys is
// not ours and is refused before any KMS call is made for it. (`buildClient` of the
// umbrella is exactly buildEncrypt and buildDecrypt with the same options.) The clients
// are built with the vault, not at import: a function whose bundle holds this module
// but never builds a vault (its composition root imports the vault's wiring for other
// routes) then carries none of the SDK.
const clientOptions = () => ({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 });
type Opened = Awaited<ReturnType<ReturnType<typeof buildDecrypt>['decrypt']>>;

type EncryptionContext = Record<string, string>;

function encryptionContextOf(context: TokenContext | WebhookSecretContext): EncryptionContext {
  return 'merchantId' in context
    ? { merchant_id: context.merchantId, purpose: context.purpose }
    : { endpoint_id: context.endpointId, purpose: context.purpose };
}

function sameContext(actual: EncryptionContext, expected: EncryptionContext): boolean {
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  return actualKeys.length === expectedKeys.length && expectedKeys.every((key) => actual[key] === expected[key]);
}

export class EnvelopeTokenVault implements TokenVault, WebhookSecretVault {
  private readonly materials: NodeCachingMaterialsManager;
  private readonly encrypt = buildEncrypt(clientOptions()).encrypt;
  private readonly decrypt = buildDecrypt(clientOptions()).decrypt;

  constructor(keyring: KeyringNode, cacheOptions: MaterialsCacheOptions = defaultMaterialsCacheOptions) {
    this.materials = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(cacheOptions.capacity),
      partition: 'payments-token-vault',
      maxAge: cacheOptions.maxAgeMs,
      maxMessagesEncrypted: cacheOptions.maxMessagesEncrypted,
    });
  }

  async seal(plaintext: string, context: TokenContext | WebhookSecretContext): Promise<string> {
    const plaintextBytes = Buffer.from(plaintext, 'utf8');
    try {
      const { result } = await this.encrypt(this.materials, plaintextBytes, {
        encryptionContext: encryptionContextOf(context),
        // Committing and unsigned: readers and writers are the same service, so an ECDSA
        // signature would prove nothing extra, and the unsigned suite keeps the
        // encryption context free of the extra `aws-crypto-public-key` entry, which lets
        // open() demand an exact match.
        suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      });
      return result.toString('base64');
    } catch (error) {
      throw new TokenVaultError('The token could not be sealed', { cause: error });
    } finally {
      plaintextBytes.fill(0);
    }
  }

  async open(ciphertext: string, context: TokenContext | WebhookSecretContext): Promise<string> {
    let opened: Opened;
    try {
      opened = await this.decrypt(this.materials, Buffer.from(ciphertext, 'base64'));
    } catch (error) {
      throw new TokenVaultError('The token ciphertext could not be opened (tampered, truncated or sealed under another key)', {
        cause: error,
      });
    }
    // The SDK authenticates the context stored in the message but does not know
    // which context the caller expects: binding a token to its merchant is ours.
    if (!sameContext(opened.messageHeader.encryptionContext, encryptionContextOf(context))) {
      opened.plaintext.fill(0);
      throw new TokenVaultError('The token ciphertext was sealed for another merchant or purpose');
    }
    const token = opened.plaintext.toString('utf8');
    opened.plaintext.fill(0);
    return token;
  }
}
