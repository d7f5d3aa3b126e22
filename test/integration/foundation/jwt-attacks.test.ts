// The JWT attacks of issue 12, over HTTP against the local runtime, whose
// authorizer verifies tokens exactly as in AWS (aws-jwt-verify, the issuer's
// JWKS, the app client, a required exp): each is 401, or 400
// credentials_in_url for a token in the query string, and none reaches a handler.
import { jest } from '@jest/globals';
import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localClientId, localIssuerUrl } from '#local/issuer.ts';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';
import { localKid, signWithIssuerKey, unsigned, withTamperedClaims } from '../../unit/auth/signed-tokens.ts';


let rt: TestRuntime;
beforeAll(async () => {
  process.env.LOG_LEVEL ??= 'WARN';
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.close();
});

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
/** Claims an ops access token of the local client would carry: what every forgery aims for. */
const opsClaims = () => ({ iss: localIssuerUrl, sub: 'attacker', token_use: 'access', client_id: localClientId, 'cognito:groups': ['ops'], iat: now(), exp: now() + 3600 });

function signedWith(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'], header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const head = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }));
  const body = b64(JSON.stringify(claims));
  return `${head}.${body}.${b64(sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey))}`;
}

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = { ...(attacker.publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'attacker-key', alg: 'RS256', use: 'sig' };

/** Each attack, given the runtime's data directory (its issuer key and kid). */
const attacks: [string, (dataDir: string) => string][] = [
  ['alg none, unsigned', () => unsigned(opsClaims())],
  ['alg none with the real kid and an empty signature', (dir) => `${b64(JSON.stringify({ alg: 'none', kid: localKid(dir) }))}.${b64(JSON.stringify(opsClaims()))}.`],
  [
    'HS256 keyed with the issuer public key (algorithm confusion)',
    (dir) => {
      const publicPem = createPublicKey(readFileSync(join(dir, 'issuer', 'private-key.pem'))).export({ type: 'spki', format: 'pem' });
      const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: localKid(dir) }));
      const body = b64(JSON.stringify(opsClaims()));
      return `${head}.${body}.${b64(createHmac('sha256', publicPem).update(`${head}.${body}`).digest())}`;
    },
  ],
  ['signed with a foreign key under the real kid', (dir) => signedWith(attacker.privateKey, { kid: localKid(dir) }, opsClaims())],
  ['an embedded jwk header naming the signing key', () => signedWith(attacker.privateKey, { kid: attackerJwk.kid, jwk: attackerJwk }, opsClaims())],
  ['a jku header pointing at the attacker\'s JWKS', () => signedWith(attacker.privateKey, { kid: attackerJwk.kid, jku: 'https://attacker.example/jwks.json' }, opsClaims())],
  ['expired', (dir) => signWithIssuerKey(dir, { ...opsClaims(), iat: now() - 7200, exp: now() - 3600 })],
  ['not valid before an hour from now (nbf)', (dir) => signWithIssuerKey(dir, { ...opsClaims(), nbf: now() + 3600 })],
  ['without exp (it would never expire)', (dir) => signWithIssuerKey(dir, { ...opsClaims(), exp: undefined })],
  ['from another issuer, signed with the real key', (dir) => signWithIssuerKey(dir, { ...opsClaims(), iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_evil' })],
  ['an access token of another app client (client_id)', (dir) => signWithIssuerKey(dir, { ...opsClaims(), client_id: 'evil-client' })],
  ['an ID token of another app client (aud)', (dir) => signWithIssuerKey(dir, { ...opsClaims(), token_use: 'id', client_id: undefined, aud: 'evil-client' })],
  ['no kid in the header', (dir) => signWithIssuerKey(dir, opsClaims(), { kid: undefined })],
  ['an unknown kid', (dir) => signWithIssuerKey(dir, opsClaims(), { kid: 'no-such-key' })],
  [
    'a payer token whose claims were changed to ops after signing',
    (dir) => withTamperedClaims(signWithIssuerKey(dir, { ...opsClaims(), 'cognito:groups': ['payer'] }), (claims) => {
      claims['cognito:groups'] = ['ops'];
    }),
  ],
  ['a valid token with its signature cut off', (dir) => signWithIssuerKey(dir, opsClaims()).split('.').slice(0, 2).join('.')],
];

const listCheckouts = (headers: Record<string, string>, query = ''): Promise<Reply> => rt.call('GET', `/v1/checkouts${query}`, { headers });

it('the real issuer key and claims pass (the table below is refused for what it changes, not by accident)', async () => {
  const reply = await listCheckouts({ Authorization: `Bearer ${signWithIssuerKey(rt.dataDir, opsClaims())}` });
  expect(reply.status).toBe(200);
});

it.each(attacks)('%s: 401, and nothing of the token is echoed', async (_attack, forge) => {
  const token = forge(rt.dataDir);
  const reply = await listCheckouts({ Authorization: `Bearer ${token}` });
  expect(reply.status).toBe(401);
  expectApiError(reply, { status: 401, type: 'authentication_error', code: reply.body.error.code });
  expect(['token_invalid', 'token_expired']).toContain(reply.body.error.code);
  expect(reply.text).not.toContain(token.split('.')[1]!.slice(0, 20));
});

it('an expired token is token_expired; every other forgery is token_invalid', async () => {
  const codeOf = async (token: string) => (await listCheckouts({ Authorization: `Bearer ${token}` })).body.error.code as string;
  const codes = await Promise.all(attacks.map(async ([name, forge]) => [name, await codeOf(forge(rt.dataDir))] as const));
  for (const [name, code] of codes) expect([name, code]).toEqual([name, name === 'expired' ? 'token_expired' : 'token_invalid']);
});

it.each(['access_token', 'token', 'Access_Token', 'id_token_hint&token'])('a valid token in the query string (%s=) is 400 credentials_in_url', async (name) => {
  const token = signWithIssuerKey(rt.dataDir, opsClaims());
  const reply = await listCheckouts({}, `?${name}=${token}`);
  expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: name.split('&').at(-1)!.toLowerCase() });
  expect(reply.text).not.toContain(token);
});
