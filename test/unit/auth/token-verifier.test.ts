// JWT verification (aws-jwt-verify) against the local issuer's JWKS file, as the
// local runtime does; in AWS only the JWKS location differs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FetchError } from 'aws-jwt-verify/error';
import { createTokenVerifier } from '#functions/adapters/jwt/token-verifier.ts';
import type { TokenVerifier } from '#functions/ports/token-verifier.ts';
import { AuthenticationError } from '#functions/domain/errors.ts';
import { ensureLocalIssuer, localClientId, localIssuerUrl, type LocalIssuer } from '#local/issuer.ts';
import { signWithIssuerKey, unsigned, withTamperedClaims } from './signed-tokens.ts';

let dataDir: string;
let issuer: LocalIssuer;
let otherIssuer: LocalIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'verifier-'));
  issuer = await ensureLocalIssuer(dataDir);
  otherIssuer = await ensureLocalIssuer(mkdtempSync(join(tmpdir(), 'verifier-other-')));
  verifier = createTokenVerifier({ issuer: localIssuerUrl, audience: [localClientId], jwks: issuer.jwksPath });
});

async function refusal(token: string, using: TokenVerifier = verifier): Promise<AuthenticationError> {
  const error = await using.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return error as AuthenticationError;
}

it("a valid token gives its sub and the roles of its cognito:groups", async () => {
  const token = issuer.mint({ sub: 'user-42', groups: ['merchant', 'ops', 'admins'] });
  expect(await verifier.verify(token)).toEqual({ sub: 'user-42', roles: ['merchant', 'ops'] });
});

it('a token without cognito:groups has no roles', async () => {
  const token = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-1', client_id: localClientId });
  expect(await verifier.verify(token)).toEqual({ sub: 'user-1', roles: [] });
});

it.each([
  ['garbage', 'not-a-jwt'],
  ['three garbage parts', 'a.b.c'],
  ['an empty string', ''],
])('%s is token_invalid', async (_what, token) => {
  expect((await refusal(token)).code).toBe('token_invalid');
});

it('a token signed by another key pair is token_invalid', async () => {
  expect((await refusal(otherIssuer.devToken('payer'))).code).toBe('token_invalid');
});

it('a token whose claims were changed after signing is token_invalid', async () => {
  const forged = withTamperedClaims(issuer.devToken('payer'), (claims) => {
    claims['cognito:groups'] = ['ops'];
  });
  expect((await refusal(forged)).code).toBe('token_invalid');
});

it('an unsigned token (alg none) is token_invalid', async () => {
  expect((await refusal(unsigned({ iss: localIssuerUrl, sub: 'user-1', 'cognito:groups': ['ops'] }))).code).toBe('token_invalid');
});

it('a token from another issuer, signed with a trusted key, is token_invalid', async () => {
  const token = signWithIssuerKey(dataDir, { iss: 'https://evil.example', sub: 'user-1', 'cognito:groups': ['ops'] });
  expect((await refusal(token)).code).toBe('token_invalid');
});

it('a token without a sub is token_invalid', async () => {
  const token = signWithIssuerKey(dataDir, { iss: localIssuerUrl, 'cognito:groups': ['ops'] });
  expect((await refusal(token)).code).toBe('token_invalid');
});

it('an expired token is token_expired', async () => {
  const token = issuer.mint({ sub: 'user-1', groups: ['payer'], issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 3600 });
  expect((await refusal(token)).code).toBe('token_expired');
});

it('only tokens of the configured app clients pass: client_id of an access token, aud of an ID token', async () => {
  const restricted = createTokenVerifier({ issuer: localIssuerUrl, audience: ['web-client'], jwks: issuer.jwksPath });
  expect((await refusal(issuer.devToken('payer'), restricted)).code).toBe('token_invalid');
  const ours = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-1', client_id: 'web-client', 'cognito:groups': ['payer'] });
  expect(await restricted.verify(ours)).toEqual({ sub: 'user-1', roles: ['payer'] });
  const idToken = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-2', token_use: 'id', client_id: undefined, aud: 'web-client', 'cognito:groups': ['payer'] });
  expect((await restricted.verify(idToken)).sub).toBe('user-2');
});

it.each([
  ['an access token of another client', { client_id: 'evil-client' }],
  ['an access token whose aud names our client but whose client_id does not', { client_id: 'evil-client', aud: localClientId }],
  ['an access token without client_id', { client_id: undefined, aud: localClientId }],
  ['an ID token for another client', { token_use: 'id', client_id: undefined, aud: 'evil-client' }],
  ['an ID token whose client_id names our client but whose aud does not', { token_use: 'id', client_id: localClientId, aud: 'evil-client' }],
  ['a token of no known kind', { token_use: 'refresh' }],
  ['a token without token_use', { token_use: undefined }],
])('%s is token_invalid', async (_what, claims) => {
  const token = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-1', 'cognito:groups': ['ops'], ...claims });
  expect((await refusal(token)).code).toBe('token_invalid');
});

it('a token without exp is token_invalid: it would never expire', async () => {
  const token = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-1', exp: undefined });
  expect((await refusal(token)).code).toBe('token_invalid');
  const textual = signWithIssuerKey(dataDir, { iss: localIssuerUrl, sub: 'user-1', exp: '9999999999' });
  expect((await refusal(textual)).code).toBe('token_invalid');
});

it('a verifier without any app client id cannot be built (it would accept every client)', () => {
  expect(() => createTokenVerifier({ issuer: localIssuerUrl, audience: [], jwks: issuer.jwksPath })).toThrow(/AUTH_AUDIENCE/);
});

it('an unreadable JWKS is the service\'s fault, not the caller\'s: not an authentication error', async () => {
  const broken = createTokenVerifier({ issuer: localIssuerUrl, audience: [localClientId], jwks: join(dataDir, 'missing-jwks.json') });
  const error = await broken.verify(issuer.devToken('payer')).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  expect(error).not.toBeInstanceOf(AuthenticationError);
});

it('a relative JWKS path is read from the working directory', async () => {
  const fromCwd = createTokenVerifier({ issuer: localIssuerUrl, audience: [localClientId], jwks: relative(process.cwd(), issuer.jwksPath) });
  expect((await fromCwd.verify(issuer.devToken('ops'))).roles).toEqual(['ops']);
});
