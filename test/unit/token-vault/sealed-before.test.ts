// Ciphertexts sealed by the vault before it imported the Encryption SDK from its
// packages instead of `@aws-crypto/client-node` (commit b78b62e), with test keys only:
// the stored tokens and webhook secrets of existing merchants and endpoints must keep
// opening, with the same algorithm suite, commitment policy and context binding.
import { DecryptCommand, GenerateDataKeyCommand, KMS } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { TokenVaultError } from '#functions/adapters/token-vault/envelope-token-vault.ts';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { localTokenVault } from '#local/adapters/local-token-vault.ts';

const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
// The fake KMS of kms-token-vault.test.ts: data key 32 × 0x07, "wrapped" as the JSON of its context.
const fakeDataKey = Buffer.alloc(32, 7);
const wrap = (context: Record<string, string> | undefined) => Buffer.from(JSON.stringify({ wrappedUnder: context ?? {} }));
// The local runtime's raw AES wrapping key, for these fixtures only.
const localKey = Buffer.alloc(32, 0x5a);

const sealedWithKms =
  'AgR4/Vcx/2JUaScb2hV5I/O+mn6oF4zq2BLo/+YB1CB1o9kAOgACAAttZXJjaGFudF9pZAAJYWNjdF8xMDAxAAdwdXJwb3NlABVw' +
    'cm92aWRlcl9hY2Nlc3NfdG9rZW4AAQAHYXdzLWttcwBLYXJuOmF3czprbXM6dXMtZWFzdC0xOjExMTEyMjIyMzMzMzprZXkvMTIz' +
    'NGFiY2QtMTJhYi0zNGNkLTU2ZWYtMTIzNDU2Nzg5MGFiAE57IndyYXBwZWRVbmRlciI6eyJtZXJjaGFudF9pZCI6ImFjY3RfMTAw' +
    'MSIsInB1cnBvc2UiOiJwcm92aWRlcl9hY2Nlc3NfdG9rZW4ifX0CAAAQAIgWEzSZ+B/Wil2TnPrHzsRM280Vhc2UwjFFhcfGsTJ7' +
    'ZR0FEEXmeHl15VSRfEDNJP////8AAAABAAAAAAAAAAAAAAABAAAALCWjpriWakEPAD6tgc1cBGBCAAHBdqzSmhOezww0KOgh/AMw' +
    'H0Tsu/ZqxZ35nq+WMzyXTzt7sA3hmkBxEg==';
const sealedLocally =
  'AgR4xZbb1XvzCconM3ZQxaMfdx537Pe1YJwpySHCglBp0kYAOgACAAttZXJjaGFudF9pZAAJYWNjdF8xMDAxAAdwdXJwb3NlABVw' +
    'cm92aWRlcl9hY2Nlc3NfdG9rZW4AAQAOcGF5bWVudHMtbG9jYWwAHXRva2VuLWtleQAAAIAAAAAMfMmCMZ2Pawmt9nG3ADAYQEz/' +
    '6Bjop1RDrBR66FwAHAeahEPDMbSRCZdZE1DTUr4RPT3ZIl/ISNAdMdd48DMCAAAQAD4jjNftd35sYIqQqtrVd+vKUZ+d0mXAvO2L' +
    'f6ExmsJSte2LZlYBUjntEPIFzmxLfP////8AAAABAAAAAAAAAAAAAAABAAAAK777YLLNFTiuOgimXK9EBU4vZwjv1xILRRs2zbEP' +
    'G+CLHJnOwzKojIrZgvTgjypxdBKJijzWC6ehemc7';
const secretSealedLocally =
  'AgR4545Su8Si+ZhFCnR66lIEuvN7FcJuu4mA/iJcFgqy4yoANAACAAtlbmRwb2ludF9pZAAKd2VfZml4dHVyZQAHcHVycG9zZQAO' +
    'd2ViaG9va19zZWNyZXQAAQAOcGF5bWVudHMtbG9jYWwAHXRva2VuLWtleQAAAIAAAAAMhvyKhHOMh0LxYzo+ADDWE+qw4SMxgqy1' +
    'HY4HvIQqw5zt36+rFcuo1zJo9qvJ4ap3OKLH8xV/GeN/0LSD9TUCAAAQALmXvV7xwrsnd70WfUIbRX35FdfgVx9/9WC+cotfplnJ' +
    'RKgcuH5gcThIKhrWpe/9sf////8AAAABAAAAAAAAAAAAAAABAAAAHN2e0jJjLv2Xt/CLI4lDwytBNzbzwpm6wM1Sr5Cjrrz1xKPt' +
    '9I2MvKQomIpH';

const kms = new KMS({ region: 'us-east-1' });
const kmsMock = mockClient(kms);

beforeEach(() => {
  kmsMock.reset();
  kmsMock.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    if (!Buffer.from(input.CiphertextBlob).equals(wrap(input.EncryptionContext))) throw new Error('context mismatch');
    return { KeyId: keyArn, Plaintext: Uint8Array.from(fakeDataKey) };
  });
  kmsMock.on(GenerateDataKeyCommand).rejects(new Error('opening never generates a data key'));
});

describe('ciphertexts sealed by the earlier vault', () => {
  it('opens a merchant token sealed under KMS, with one Decrypt under the merchant context', async () => {
    const vault = kmsTokenVault({ keyArn, region: 'us-east-1', kmsClient: kms });

    await expect(vault.open(sealedWithKms, { merchantId: 'acct_1001', purpose: 'provider_access_token' })).resolves.toBe(
      'STAGE_merchant-access-token-0123456789abcdef',
    );
    expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 1);
    expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, {
      KeyId: keyArn,
      EncryptionContext: { merchant_id: 'acct_1001', purpose: 'provider_access_token' },
    });
  });

  it('opens a merchant token and a webhook secret sealed with the local AES key', async () => {
    const vault = localTokenVault({ keyBytes: localKey });

    await expect(vault.open(sealedLocally, { merchantId: 'acct_1001', purpose: 'provider_access_token' })).resolves.toBe(
      'STAGE_local-merchant-token-fedcba9876543210',
    );
    await expect(vault.open(secretSealedLocally, { endpointId: 'we_fixture', purpose: 'webhook_secret' })).resolves.toBe(
      'whsec_fixture-signing-secret',
    );
  });

  it('still refuses them under another merchant or endpoint', async () => {
    const vault = localTokenVault({ keyBytes: localKey });

    await expect(vault.open(sealedLocally, { merchantId: 'acct_2002', purpose: 'provider_access_token' })).rejects.toThrow(TokenVaultError);
    await expect(vault.open(secretSealedLocally, { endpointId: 'we_other', purpose: 'webhook_secret' })).rejects.toThrow(TokenVaultError);
  });

  it('seals new ciphertexts in the same format (message version 2, the committing unsigned suite)', async () => {
    const sealed = Buffer.from(await localTokenVault({ keyBytes: localKey }).seal('STAGE_x', { merchantId: 'acct_1001', purpose: 'provider_access_token' }), 'base64');
    const before = Buffer.from(sealedLocally, 'base64');

    // Byte 0: message format version; bytes 1-2: the algorithm suite id (0x0478).
    expect(sealed.subarray(0, 3)).toEqual(before.subarray(0, 3));
    expect(sealed.readUInt16BE(1)).toBe(0x0478);
  });
});
