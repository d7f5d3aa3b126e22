// JWTs with any header and claims, signed with the local issuer's key (or none),
// for the cases the issuer's own mint cannot produce: another issuer, no subject,
// another client, alg "none".
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localClientId } from '#local/issuer.ts';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function localKid(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'issuer', 'jwks.json'), 'utf8')) as { keys: { kid: string }[] }).keys[0]!.kid;
}

export function signWithIssuerKey(dataDir: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const key = createPrivateKey(readFileSync(join(dataDir, 'issuer', 'private-key.pem')));
  const now = Math.floor(Date.now() / 1000);
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: localKid(dataDir), ...header }));
  // An access token of the local app client unless the claims say otherwise (`undefined` drops a claim).
  const body = base64url(JSON.stringify({ iat: now, exp: now + 3600, token_use: 'access', client_id: localClientId, ...claims }));
  return `${head}.${body}.${base64url(sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key))}`;
}

/** The same token with its claims changed and its signature kept: the signature no longer matches. */
export function withTamperedClaims(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [head, body, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${head}.${base64url(JSON.stringify(claims))}.${signature}`;
}

export function unsigned(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify({ iat: now, exp: now + 3600, ...claims }))}.`;
}
