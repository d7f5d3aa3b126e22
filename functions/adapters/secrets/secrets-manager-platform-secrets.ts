// The AWS runtime's platform credentials: one JSON secret in Secrets Manager, read
// through Powertools Parameters, which keeps it in memory for maxAge seconds. A
// warm Lambda therefore calls Secrets Manager at most once per maxAge, and a
// rotated secret is in use at most maxAge seconds after rotation, with no restart.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import type { PlatformCredentials, PlatformSecrets } from '#functions/ports/secrets.ts';
import { PlatformSecretsError, toPlatformCredentials } from '#functions/adapters/secrets/platform-secret.ts';

export interface SecretsManagerPlatformSecretsOptions {
  /** Name or ARN of the secret (config: PLATFORM_SECRET_ID). */
  secretId: string;
  /** config: SECRETS_CACHE_SECONDS. */
  maxAgeSeconds: number;
  /** Injected by tests (over a mocked SecretsManagerClient); one per cold start otherwise. */
  secretsProvider?: SecretsProvider;
  region?: string;
}

export function secretsManagerPlatformSecrets({
  secretId,
  maxAgeSeconds,
  secretsProvider,
  region,
}: SecretsManagerPlatformSecretsOptions): PlatformSecrets {
  const provider =
    secretsProvider ?? new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(region === undefined ? {} : { region }) });
  const source = `secret ${secretId}`;

  return {
    async platformCredentials(): Promise<PlatformCredentials> {
      let document: unknown;
      try {
        document = await provider.get(secretId, { maxAge: maxAgeSeconds, transform: 'json' });
      } catch (error) {
        // A transform error quotes JSON.parse, which quotes the secret: drop it.
        if (error instanceof TransformParameterError) {
          throw new PlatformSecretsError(`Platform ${source} is not valid JSON`);
        }
        // Service errors (access denied, not found, throttled) name the secret, not its value.
        throw new PlatformSecretsError(`Platform ${source} could not be read`, { cause: error });
      }
      if (document === undefined) throw new PlatformSecretsError(`Platform ${source} has no value`);
      return toPlatformCredentials(document, source);
    },
  };
}
