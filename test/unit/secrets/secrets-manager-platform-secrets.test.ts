// The Secrets Manager path: Powertools Parameters over a mocked SecretsManagerClient.
import { jest } from '@jest/globals';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { secretsManagerPlatformSecrets } from '#functions/adapters/secrets/secrets-manager-platform-secrets.ts';
import { PlatformSecretsError } from '#functions/adapters/secrets/platform-secret.ts';

const secretId = 'payments/platform-credentials';
const before = {
  client_id: '123456',
  client_secret: 'client-secret-before-rotation',
  app_access_token: 'STAGE_app-token-before-rotation',
  ipn_route_secret: 'ipn-route-secret-before-rotation-0123456789',
};
const after = { ...before, client_secret: 'client-secret-after-rotation', app_access_token: 'STAGE_app-token-after-rotation' };

const client = new SecretsManagerClient({ region: 'us-east-1' });
const secretsManager = mockClient(client);

function platformSecrets(maxAgeSeconds = 300) {
  // A provider per test: Powertools keeps its cache on the provider instance.
  return secretsManagerPlatformSecrets({ secretId, maxAgeSeconds, secretsProvider: new SecretsProvider({ awsSdkV3Client: client }) });
}

beforeEach(() => {
  secretsManager.reset();
  // Only Date is faked: Powertools ages cached values by the wall clock.
  jest.useFakeTimers({
    now: new Date('2025-01-01T00:00:00Z'),
    doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
  });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('secretsManagerPlatformSecrets', () => {
  it('reads the platform credentials from the JSON secret named in config', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(before) });

    await expect(platformSecrets().platformCredentials()).resolves.toEqual({
      clientId: '123456',
      clientSecret: 'client-secret-before-rotation',
      appAccessToken: 'STAGE_app-token-before-rotation',
      ipnRouteSecret: 'ipn-route-secret-before-rotation-0123456789',
      previousIpnRouteSecrets: [],
    });
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: secretId });
  });

  it('serves repeated reads within maxAge from memory with one Secrets Manager call', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(before) }).resolves({ SecretString: JSON.stringify(after) });
    const secrets = platformSecrets(300);

    await secrets.platformCredentials();
    jest.setSystemTime(new Date('2025-01-01T00:04:59Z'));
    const later = await secrets.platformCredentials();

    expect(later.clientSecret).toBe(before.client_secret);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('picks up a rotated secret once the cached value is older than maxAge, without a restart', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(before) }).resolves({ SecretString: JSON.stringify(after) });
    const secrets = platformSecrets(300);

    expect((await secrets.platformCredentials()).appAccessToken).toBe(before.app_access_token);
    jest.setSystemTime(new Date('2025-01-01T00:05:01Z'));
    const rotated = await secrets.platformCredentials();

    expect(rotated.appAccessToken).toBe(after.app_access_token);
    expect(rotated.clientSecret).toBe(after.client_secret);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('hands on the earlier IPN route secrets kept by the rotation, newest first', async () => {
    const previous = ['ipn-route-secret-one-rotation-ago-0123456789', 'ipn-route-secret-two-rotations-ago-012345678'];
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...before, ipn_route_secret_previous: previous }) });

    await expect(platformSecrets().platformCredentials()).resolves.toMatchObject({ previousIpnRouteSecrets: previous });
  });

  it('names a malformed ipn_route_secret_previous without echoing its entries', async () => {
    const malformed = { ...before, ipn_route_secret_previous: ['short-previous-secret', 'x'.repeat(40)] };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(malformed) });

    const error = await platformSecrets().platformCredentials().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformSecretsError);
    expect((error as Error).message).toMatch(/ipn_route_secret_previous\.0/);
    expect((error as Error).message).not.toContain('short-previous-secret');
  });

  it('accepts a numeric client_id and hands it on as a string', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...before, client_id: 123456 }) });

    await expect(platformSecrets().platformCredentials()).resolves.toMatchObject({ clientId: '123456' });
  });

  it('names the malformed fields of an invalid secret without echoing any value', async () => {
    const malformed = { ...before, client_id: 'not-a-number-secretish', ipn_route_secret: 'too-short-secret' };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(malformed) });

    const error = await platformSecrets().platformCredentials().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformSecretsError);
    const message = (error as Error).message;
    expect(message).toMatch(/client_id/);
    expect(message).toMatch(/ipn_route_secret/);
    for (const value of Object.values(malformed)) expect(message).not.toContain(value);
    expect((error as Error).cause).toBeUndefined();
  });

  it('reports a secret that is not JSON without quoting it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2-plain-secret' });

    const error = await platformSecrets().platformCredentials().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformSecretsError);
    expect(String(error)).not.toContain('hunter2');
    expect((error as Error).cause).toBeUndefined();
  });

  it('reports a missing secret by name', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(platformSecrets().platformCredentials()).rejects.toThrow(/payments\/platform-credentials could not be read/);
  });
});
