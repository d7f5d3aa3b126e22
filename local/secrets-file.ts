// The local runtime's stand-in for the Secrets Manager secret: the platform's
// credentials generated at random on first start under the data directory and
// reused afterwards (the provider sandbox reads the same file to know the app).
import { randomBytes, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';
import type { PlatformSecretDocument } from '#functions/adapters/secrets/platform-secret.ts';
import { parseSecretJson, toPlatformCredentials } from '#functions/adapters/secrets/platform-secret.ts';
import { createPrivateFileOnce } from '#local/keyring.ts';

/** Where the local platform secret lives under the data directory. */
export function localSecretsPath(dataDir: string): string {
  return join(dataDir, 'secrets', 'platform.json');
}

function generatePlatformSecret(): PlatformSecretDocument {
  return {
    client_id: String(randomInt(100_000, 1_000_000)),
    client_secret: randomBytes(16).toString('hex'),
    app_access_token: `LOCAL_${randomBytes(32).toString('hex')}`,
    ipn_route_secret: randomBytes(32).toString('base64url'),
  };
}

/** Returns the local platform secret file and its credentials, generating it (mode 0600) on first start. */
export async function ensureLocalSecrets(dataDir: string): Promise<{ path: string; credentials: PlatformCredentials }> {
  const path = localSecretsPath(dataDir);
  await createPrivateFileOnce(path, () => `${JSON.stringify(generatePlatformSecret(), null, 2)}\n`);
  const source = `file ${path}`;
  const credentials = toPlatformCredentials(parseSecretJson(await readFile(path, 'utf8'), source), source);
  return { path, credentials };
}
