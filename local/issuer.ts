// The local JWT issuer: stands in for the Cognito user pool. Its RSA key pair and
// the dev users' stable `sub`s live under `${dataDir}/issuer/` (private key 0600);
// the API's verifier reads `jwks.json` from there, exactly as it would read
// Cognito's JWKS in AWS.
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { localAppClientId } from '#functions/config.ts';
import type { Role } from '#functions/domain/principal.ts';
import { createPrivateFileOnce } from './keyring.ts';

export const localIssuerUrl = 'https://issuer.payments.local';
/** The local app client: tokens carry it as `client_id`, and the runtime accepts no other (as AWS checks the Cognito client). */
export const localClientId = localAppClientId;

export const devUsers = ['payer', 'payer2', 'merchant', 'merchant2', 'ops'] as const;
export type DevUser = (typeof devUsers)[number];
/** merchant2 is a second merchant user, not onboarded: what a platform's new merchant looks like. */
const roleOf: Record<DevUser, Role> = { payer: 'payer', payer2: 'payer', merchant: 'merchant', merchant2: 'merchant', ops: 'ops' };

export interface LocalIssuer {
  issuer: string;
  jwksPath: string;
  subs: Record<DevUser, string>;
  /** A signed access token shaped like Cognito's (`client_id`, `cognito:groups`, `token_use`). */
  mint(claims: { sub: string; groups: readonly string[]; expiresInSeconds?: number; issuedAt?: number }): string;
  devToken(user: DevUser): string;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export async function ensureLocalIssuer(dataDir: string): Promise<LocalIssuer> {
  const dir = join(dataDir, 'issuer');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, 'private-key.pem');
  await createPrivateFileOnce(privateKeyPath, () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const privateKey: KeyObject = createPrivateKey(await readFile(privateKeyPath));
  const publicJwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, string>) };
  const jwk = { kty: 'RSA', n: publicJwk.n!, e: publicJwk.e!, alg: 'RS256', use: 'sig', kid: '' };
  jwk.kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  const jwksPath = join(dir, 'jwks.json');
  await writeFile(jwksPath, JSON.stringify({ keys: [jwk] }, null, 2));

  const usersPath = join(dir, 'users.json');
  await createPrivateFileOnce(usersPath, () =>
    JSON.stringify(Object.fromEntries(devUsers.map((user) => [user, randomUUID()])), null, 2),
  );
  const subs = JSON.parse(await readFile(usersPath, 'utf8')) as Record<DevUser, string>;
  // A data directory from before a dev user was added gets that user; the others keep their sub.
  const missing = devUsers.filter((user) => typeof subs[user] !== 'string');
  if (missing.length > 0) {
    for (const user of missing) subs[user] = randomUUID();
    await writeFile(usersPath, JSON.stringify(subs, null, 2), { mode: 0o600 });
  }

  const mint: LocalIssuer['mint'] = ({ sub, groups, expiresInSeconds = 24 * 3600, issuedAt = Math.floor(Date.now() / 1000) }) => {
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwk.kid }));
    const payload = base64url(
      JSON.stringify({
        iss: localIssuerUrl,
        sub,
        client_id: localClientId,
        token_use: 'access',
        'cognito:groups': groups,
        iat: issuedAt,
        exp: issuedAt + expiresInSeconds,
        jti: randomUUID(),
      }),
    );
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  };

  return {
    issuer: localIssuerUrl,
    jwksPath,
    subs,
    mint,
    devToken: (user) => mint({ sub: subs[user], groups: [roleOf[user]] }),
  };
}
