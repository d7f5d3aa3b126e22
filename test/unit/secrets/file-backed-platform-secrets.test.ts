import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileBackedPlatformSecrets } from '#local/adapters/file-backed-platform-secrets.ts';
import { PlatformSecretsError } from '#functions/adapters/secrets/platform-secret.ts';

const before = {
  client_id: '654321',
  client_secret: 'local-client-secret-before',
  app_access_token: 'LOCAL_app-token-before',
  ipn_route_secret: 'local-ipn-route-secret-before-0123456789',
};
const after = { ...before, app_access_token: 'LOCAL_app-token-after' };

let directory: string;
let path: string;
let now: number;
const clock = { now: () => now };

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'payments-secrets-'));
  path = join(directory, 'platform.json');
  now = Date.UTC(2025, 0, 1);
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('fileBackedPlatformSecrets', () => {
  it('reads the credentials from the local secrets file', async () => {
    await writeFile(path, JSON.stringify(before));

    await expect(fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock }).platformCredentials()).resolves.toEqual({
      clientId: '654321',
      clientSecret: 'local-client-secret-before',
      appAccessToken: 'LOCAL_app-token-before',
      ipnRouteSecret: 'local-ipn-route-secret-before-0123456789',
      previousIpnRouteSecrets: [],
    });
  });

  it('reads the earlier IPN route secrets a rotation kept, newest first', async () => {
    const previous = ['local-ipn-route-secret-older-0123456789ab', 'local-ipn-route-secret-oldest-0123456789a'];
    await writeFile(path, JSON.stringify({ ...before, ipn_route_secret_previous: previous }));

    const credentials = await fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock }).platformCredentials();

    expect(credentials.previousIpnRouteSecrets).toEqual(previous);
  });

  it('keeps serving the cached credentials within maxAge after the file changes', async () => {
    await writeFile(path, JSON.stringify(before));
    const secrets = fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock });
    await secrets.platformCredentials();

    await writeFile(path, JSON.stringify(after));
    now += 59_000;

    expect((await secrets.platformCredentials()).appAccessToken).toBe(before.app_access_token);
  });

  it('picks up a rotated file once the cached copy is older than maxAge', async () => {
    await writeFile(path, JSON.stringify(before));
    const secrets = fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock });
    await secrets.platformCredentials();

    await writeFile(path, JSON.stringify(after));
    now += 60_000;

    expect((await secrets.platformCredentials()).appAccessToken).toBe(after.app_access_token);
  });

  it('reports a missing file by path and error code', async () => {
    await expect(fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock }).platformCredentials()).rejects.toThrow(/could not be read \(ENOENT\)/);
  });

  it('reports a file that is not JSON, or misses a field, without quoting its content', async () => {
    await writeFile(path, 'hunter2-not-json');
    const notJson = await fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock }).platformCredentials().then(() => undefined, (caught: unknown) => caught);
    expect(notJson).toBeInstanceOf(PlatformSecretsError);
    expect(String(notJson)).not.toContain('hunter2');

    const { app_access_token: _omitted, ...incomplete } = before;
    await writeFile(path, JSON.stringify(incomplete));
    const missing = await fileBackedPlatformSecrets({ path, maxAgeSeconds: 60, clock }).platformCredentials().then(() => undefined, (caught: unknown) => caught);
    expect(missing).toBeInstanceOf(PlatformSecretsError);
    expect((missing as Error).message).toMatch(/app_access_token/);
    for (const value of Object.values(incomplete)) expect((missing as Error).message).not.toContain(value);
  });
});
