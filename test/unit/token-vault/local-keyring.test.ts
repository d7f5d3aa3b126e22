import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalKey, localKeyPath } from '#local/keyring.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'payments-keyring-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ensureLocalKey', () => {
  it('generates a 256-bit key on first call, readable by the owner only, in a private directory', async () => {
    const key = await ensureLocalKey(dataDir);

    expect(key.byteLength).toBe(32);
    expect((await stat(localKeyPath(dataDir))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'keys'))).mode & 0o777).toBe(0o700);
  });

  it('returns the same key on later calls instead of overwriting it', async () => {
    const first = await ensureLocalKey(dataDir);
    const second = await ensureLocalKey(dataDir);

    expect(second.equals(first)).toBe(true);
  });

  it('ends with one key and no temporary files when several starts race', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => ensureLocalKey(dataDir)));

    for (const key of keys) expect(key.equals(keys[0]!)).toBe(true);
    expect(await readdir(join(dataDir, 'keys'))).toEqual(['token-key.bin']);
  });

  it('refuses a key file of the wrong length rather than replacing it', async () => {
    await mkdir(join(dataDir, 'keys'), { recursive: true });
    await writeFile(localKeyPath(dataDir), Buffer.alloc(16));

    await expect(ensureLocalKey(dataDir)).rejects.toThrow(/16 bytes/);
    expect((await stat(localKeyPath(dataDir))).size).toBe(16);
  });
});
