import { randomBytes } from 'node:crypto';
import { localTokenVault } from '#local/adapters/local-token-vault.ts';
import { TokenVaultError } from '#functions/adapters/token-vault/envelope-token-vault.ts';
import type { TokenContext } from '#functions/ports/token-vault.ts';

const token = 'STAGE_local-merchant-token-fedcba9876543210';
const merchant: TokenContext = { merchantId: 'acct_1001', purpose: 'provider_access_token' };

async function openingError(promise: Promise<string>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe('localTokenVault', () => {
  const keyBytes = randomBytes(32);

  it('round-trips a token sealed with the local AES key as base64 without the token in it', async () => {
    const tokens = localTokenVault({ keyBytes });
    const ciphertext = await tokens.seal(token, merchant);

    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(ciphertext, 'base64').includes(token)).toBe(false);
    await expect(tokens.open(ciphertext, merchant)).resolves.toBe(token);
  });

  it('opens a token sealed by another process with the same key (the key file survives restarts)', async () => {
    const ciphertext = await localTokenVault({ keyBytes }).seal(token, merchant);
    await expect(localTokenVault({ keyBytes: Buffer.from(keyBytes) }).open(ciphertext, merchant)).resolves.toBe(token);
  });

  it('refuses to open a token under another merchant id', async () => {
    const tokens = localTokenVault({ keyBytes });
    const ciphertext = await tokens.seal(token, merchant);

    const error = await openingError(tokens.open(ciphertext, { ...merchant, merchantId: 'acct_2002' }));
    expect(error).toBeInstanceOf(TokenVaultError);
    expect((error as Error).message).toMatch(/another merchant or purpose/);
  });

  it('refuses to open a token under another purpose', async () => {
    const tokens = localTokenVault({ keyBytes });
    const ciphertext = await tokens.seal(token, merchant);

    const otherPurpose = { ...merchant, purpose: 'webhook_signing_key' } as unknown as TokenContext;
    await expect(tokens.open(ciphertext, otherPurpose)).rejects.toThrow(TokenVaultError);
  });

  it('refuses a ciphertext with any single byte flipped, in the header or the body', async () => {
    const tokens = localTokenVault({ keyBytes });
    const sealed = Buffer.from(await tokens.seal(token, merchant), 'base64');
    // Opening the untouched ciphertext first puts its decrypt materials in the cache: tampering must still fail.
    await tokens.open(sealed.toString('base64'), merchant);

    for (const position of [5, Math.floor(sealed.length / 2), sealed.length - 40, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[position] = (tampered[position] ?? 0) ^ 0x01;
      const error = await openingError(tokens.open(tampered.toString('base64'), merchant));
      expect(error).toBeInstanceOf(TokenVaultError);
      expect(String(error)).not.toContain(token);
    }
  });

  it('refuses a truncated ciphertext and one that is not base64 of a message', async () => {
    const tokens = localTokenVault({ keyBytes });
    const sealed = Buffer.from(await tokens.seal(token, merchant), 'base64');

    await expect(tokens.open(sealed.subarray(0, sealed.length - 10).toString('base64'), merchant)).rejects.toThrow(TokenVaultError);
    await expect(tokens.open('not a sealed token', merchant)).rejects.toThrow(TokenVaultError);
  });

  it('refuses a token sealed with another local key', async () => {
    const ciphertext = await localTokenVault({ keyBytes: randomBytes(32) }).seal(token, merchant);
    await expect(localTokenVault({ keyBytes }).open(ciphertext, merchant)).rejects.toThrow(TokenVaultError);
  });

  it('rejects a wrapping key that is not 256 bits', () => {
    expect(() => localTokenVault({ keyBytes: randomBytes(16) })).toThrow(/32 bytes/);
  });
});
