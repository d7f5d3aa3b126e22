import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalSecrets, localSecretsPath } from '#local/secrets-file.ts';
import { fileBackedPlatformSecrets } from '#local/adapters/file-backed-platform-secrets.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'payments-local-secrets-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ensureLocalSecrets', () => {
  it('generates random platform credentials on first start in a file readable by the owner only', async () => {
    const { path, credentials } = await ensureLocalSecrets(dataDir);

    expect(path).toBe(localSecretsPath(dataDir));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'secrets'))).mode & 0o777).toBe(0o700);
    expect(credentials.clientId).toMatch(/^\d+$/);
    expect(credentials.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(credentials.appAccessToken.length).toBeGreaterThanOrEqual(32);
    expect(credentials.ipnRouteSecret.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      app_access_token: credentials.appAccessToken,
      ipn_route_secret: credentials.ipnRouteSecret,
    });
  });

  it('reuses the generated credentials on later starts', async () => {
    const first = await ensureLocalSecrets(dataDir);
    const second = await ensureLocalSecrets(dataDir);

    expect(second.credentials).toEqual(first.credentials);
  });

  it('generates different credentials for a different data directory', async () => {
    const other = await mkdtemp(join(tmpdir(), 'payments-local-secrets-'));
    try {
      const mine = await ensureLocalSecrets(dataDir);
      const theirs = await ensureLocalSecrets(other);
      expect(theirs.credentials.clientSecret).not.toBe(mine.credentials.clientSecret);
      expect(theirs.credentials.ipnRouteSecret).not.toBe(mine.credentials.ipnRouteSecret);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('writes a file the file-backed Secrets port reads as the same credentials', async () => {
    const { path, credentials } = await ensureLocalSecrets(dataDir);

    await expect(fileBackedPlatformSecrets({ path, maxAgeSeconds: 60 }).platformCredentials()).resolves.toEqual(credentials);
  });
});
