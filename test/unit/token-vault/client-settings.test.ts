// The Encryption SDK settings the vault builds its clients with (commitment policy, one
// encrypted data key per message), shown by what it refuses: messages a client with
// other settings seals under the very same wrapping key.
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, MultiKeyringNode, type KeyringNode } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import { TokenVaultError } from '#functions/adapters/token-vault/envelope-token-vault.ts';
import { localTokenVault } from '#local/adapters/local-token-vault.ts';
import type { TokenContext } from '#functions/ports/token-vault.ts';

const keyBytes = Buffer.alloc(32, 0x33);
const merchant: TokenContext = { merchantId: 'acct_1001', purpose: 'provider_access_token' };
const encryptionContext = { merchant_id: 'acct_1001', purpose: 'provider_access_token' };

/** The local vault's wrapping key, as its own keyring (same namespace and name). */
function sameKeyring(): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: 'payments-local',
    keyName: 'token-key',
    unencryptedMasterKey: Uint8Array.from(keyBytes),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

async function sealedWith(commitmentPolicy: CommitmentPolicy, suiteId: AlgorithmSuiteIdentifier, keyring: KeyringNode = sameKeyring()): Promise<string> {
  const { encrypt } = buildEncrypt({ commitmentPolicy });
  const { result } = await encrypt(keyring, Buffer.from('STAGE_token'), { encryptionContext, suiteId });
  return result.toString('base64');
}

describe("the vault's Encryption SDK settings", () => {
  it('opens a message sealed elsewhere under its key with its committing suite (the control)', async () => {
    const sealed = await sealedWith(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY);
    await expect(localTokenVault({ keyBytes }).open(sealed, merchant)).resolves.toBe('STAGE_token');
  });

  it('refuses a message sealed without key commitment (REQUIRE_ENCRYPT_REQUIRE_DECRYPT)', async () => {
    const sealed = await sealedWith(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT, AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256);
    await expect(localTokenVault({ keyBytes }).open(sealed, merchant)).rejects.toThrow(TokenVaultError);
  });

  it('refuses a message carrying two encrypted data keys (maxEncryptedDataKeys: 1)', async () => {
    const twoKeys = new MultiKeyringNode({ generator: sameKeyring(), children: [sameKeyring()] });
    const sealed = await sealedWith(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, twoKeys);
    await expect(localTokenVault({ keyBytes }).open(sealed, merchant)).rejects.toThrow(TokenVaultError);
  });
});
