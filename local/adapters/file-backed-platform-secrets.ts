// The local runtime's platform credentials: the JSON file generated under .local/
// (local/secrets-file.ts), with the same document schema and the same caching
// as Secrets Manager, so editing the file behaves like a rotation: it is picked
// up once the cached copy is older than maxAge.
import { readFile } from 'node:fs/promises';
import type { Clock } from '#functions/ports/clock.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';
import type { PlatformCredentials, PlatformSecrets } from '#functions/ports/secrets.ts';
import { PlatformSecretsError, parseSecretJson, toPlatformCredentials } from '#functions/adapters/secrets/platform-secret.ts';

export interface FileBackedPlatformSecretsOptions {
  path: string;
  maxAgeSeconds: number;
  clock?: Clock;
}

export function fileBackedPlatformSecrets({ path, maxAgeSeconds, clock = systemClock }: FileBackedPlatformSecretsOptions): PlatformSecrets {
  const source = `file ${path}`;
  let cached: { credentials: PlatformCredentials; expiresAt: number } | undefined;

  return {
    async platformCredentials(): Promise<PlatformCredentials> {
      const now = clock.now();
      if (cached && now < cached.expiresAt) return cached.credentials;

      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new PlatformSecretsError(`Platform secrets ${source} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const credentials = toPlatformCredentials(parseSecretJson(text, source), source);
      cached = { credentials, expiresAt: now + maxAgeSeconds * 1000 };
      return credentials;
    },
  };
}
