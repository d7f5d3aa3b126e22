// The KMS keyring path against a mocked KMS: the mock hands out a fixed fake data
// key, so the Encryption SDK really encrypts and decrypts, and the mock plays
// KMS's part of binding the wrapped key to its encryption context.
import { jest } from '@jest/globals';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMS } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { TokenVaultError } from '#functions/adapters/token-vault/envelope-token-vault.ts';
import type { TokenContext } from '#functions/ports/token-vault.ts';

const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const fakeDataKey = Buffer.alloc(32, 7);
const token = 'STAGE_merchant-access-token-0123456789abcdef';
const merchantA: TokenContext = { merchantId: 'acct_1001', purpose: 'provider_access_token' };
const merchantB: TokenContext = { merchantId: 'acct_2002', purpose: 'provider_access_token' };

const kms = new KMS({ region: 'us-east-1' });
const kmsMock = mockClient(kms);

// The fake "wrapped" data key records the context it was wrapped under, as KMS
// binds it cryptographically; Decrypt under another context fails as in KMS.
function wrap(context: Record<string, string> | undefined): Uint8Array {
  return Buffer.from(JSON.stringify({ wrappedUnder: context ?? {} }));
}

beforeEach(() => {
  kmsMock.reset();
  kmsMock.on(GenerateDataKeyCommand).callsFake((input: { KeyId: string; EncryptionContext?: Record<string, string> }) => ({
    KeyId: input.KeyId,
    // A fresh copy each time: the SDK zeroes data keys once it is done with them.
    Plaintext: Uint8Array.from(fakeDataKey),
    CiphertextBlob: wrap(input.EncryptionContext),
  }));
  kmsMock.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    if (Buffer.compare(Buffer.from(input.CiphertextBlob), Buffer.from(wrap(input.EncryptionContext))) !== 0) {
      throw new InvalidCiphertextException({ message: 'context mismatch', $metadata: {} });
    }
    return { KeyId: keyArn, Plaintext: Uint8Array.from(fakeDataKey) };
  });
  kmsMock.on(EncryptCommand).rejects(new Error('Encrypt is only used with additional keys; this keyring has none'));
});

function vault() {
  return kmsTokenVault({ keyArn, region: 'us-east-1', kmsClient: kms });
}

describe('kmsTokenVault', () => {
  it('seals and opens a token with a KMS data key, passing merchant and purpose as the KMS encryption context', async () => {
    const tokens = vault();
    const ciphertext = await tokens.seal(token, merchantA);

    await expect(tokens.open(ciphertext, merchantA)).resolves.toBe(token);
    const expectedContext = { merchant_id: 'acct_1001', purpose: 'provider_access_token' };
    expect(kmsMock).toHaveReceivedCommandWith(GenerateDataKeyCommand, { KeyId: keyArn, EncryptionContext: expectedContext, NumberOfBytes: 32 });
    expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn, EncryptionContext: expectedContext });
    expect(kmsMock).not.toHaveReceivedCommand(EncryptCommand);
  });

  it('never sends the token to KMS and never stores it in plain text', async () => {
    const ciphertext = await vault().seal(token, merchantA);

    expect(Buffer.from(ciphertext, 'base64').toString('base64')).toBe(ciphertext);
    expect(Buffer.from(ciphertext, 'base64').includes(token)).toBe(false);
    expect(ciphertext).not.toContain(token);
    for (const call of kmsMock.calls()) expect(JSON.stringify(call.args[0].input)).not.toContain(token);
  });

  it('opens the same merchant token on a warm vault with one KMS Decrypt in total', async () => {
    const tokens = vault();
    const ciphertext = await tokens.seal(token, merchantA);

    for (let request = 0; request < 5; request += 1) await expect(tokens.open(ciphertext, merchantA)).resolves.toBe(token);

    expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 1);
  });

  it('re-seals for the same merchant on a warm vault without another GenerateDataKey, but asks again for another merchant', async () => {
    const tokens = vault();
    await tokens.seal(token, merchantA);
    await tokens.seal(`${token}-rotated`, merchantA);
    expect(kmsMock).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 1);

    await tokens.seal(token, merchantB);
    expect(kmsMock).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 2);
  });

  it('calls KMS again from a cold vault: the cache lives in the Lambda instance', async () => {
    const ciphertext = await vault().seal(token, merchantA);
    await vault().open(ciphertext, merchantA);
    await vault().open(ciphertext, merchantA);

    expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 2);
  });

  it('calls KMS again once the cached data key is older than maxAge', async () => {
    // Only Date is faked: the cache ages its entries by Date.now().
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const tokens = kmsTokenVault({ keyArn, region: 'us-east-1', kmsClient: kms, cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 100, capacity: 10 } });
      const ciphertext = await tokens.seal(token, merchantA);
      await tokens.open(ciphertext, merchantA);
      jest.setSystemTime(new Date('2025-01-01T00:00:30Z'));
      await tokens.open(ciphertext, merchantA);
      expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 1);

      jest.setSystemTime(new Date('2025-01-01T00:01:01Z'));
      await tokens.open(ciphertext, merchantA);
      expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses to open a token under another merchant context, even with its decrypt materials cached', async () => {
    const tokens = vault();
    const ciphertext = await tokens.seal(token, merchantA);
    await tokens.open(ciphertext, merchantA);

    const attempt = tokens.open(ciphertext, merchantB);
    await expect(attempt).rejects.toThrow(TokenVaultError);
    await expect(attempt).rejects.toThrow(/another merchant or purpose/);
  });

  it('fails when KMS refuses to unwrap the data key, without echoing the token', async () => {
    const tokens = vault();
    const ciphertext = await tokens.seal(token, merchantA);
    kmsMock.on(DecryptCommand).rejects(new InvalidCiphertextException({ message: 'denied', $metadata: {} }));

    const error = await tokens.open(ciphertext, merchantA).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TokenVaultError);
    expect(String(error)).not.toContain(token);
  });
});
