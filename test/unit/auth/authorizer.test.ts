// The API Gateway REQUEST authorizer (functions/handlers/authorize.ts) with tokens
// from the local issuer: Allow carries the principal to the handler; Deny carries
// the 401 code the gateway response sends.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { resetConfig } from '#functions/config.ts';
import { handler as authorize } from '#functions/handlers/authorize.ts';
import { handler as feesQuote } from '#functions/handlers/fees-quote.ts';
import { ensureLocalIssuer, localClientId, localIssuerUrl, type LocalIssuer } from '#local/issuer.ts';
import { expectApiError } from '../../support/api-expectations.ts';
import { captureOutput, type CapturedOutput } from '../../support/log-capture.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';
import { signWithIssuerKey } from './signed-tokens.ts';

let dataDir: string;
let issuer: LocalIssuer;
let otherIssuer: LocalIssuer;
let output: CapturedOutput;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'authorizer-'));
  issuer = await ensureLocalIssuer(dataDir);
  otherIssuer = await ensureLocalIssuer(mkdtempSync(join(tmpdir(), 'authorizer-other-')));
  // The handler builds its verifier from the configuration on first use, once per process.
  Object.assign(process.env, { PAYMENTS_DATA_DIR: dataDir, AUTH_ISSUER: localIssuerUrl, AUTH_JWKS: issuer.jwksPath, AUTH_AUDIENCE: localClientId });
  resetConfig();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:api123/prod/POST/v1/fees/quote';

function authorizerEvent(headers: Record<string, string>, query: Record<string, string> | null = null): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: '/v1/fees/quote',
    path: '/v1/fees/quote',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function effectOf(result: APIGatewayAuthorizerResult): string {
  const statements = result.policyDocument.Statement as { Effect: string; Resource: string }[];
  expect(statements).toHaveLength(1);
  expect(statements[0]!.Resource).toBe(methodArn);
  return statements[0]!.Effect;
}

function expectDeny(result: APIGatewayAuthorizerResult, code: string): void {
  expect(effectOf(result)).toBe('Deny');
  expect(result.context).toEqual({ code, message: expect.any(String) });
}

describe('Allow', () => {
  it('a valid token: the context carries sub and groups', async () => {
    const result = await authorize(authorizerEvent(bearer(issuer.devToken('payer'))));
    expect(effectOf(result)).toBe('Allow');
    expect(result.principalId).toBe(issuer.subs.payer);
    expect(result.context).toEqual({ sub: issuer.subs.payer, groups: 'payer' });
  });

  it('roles come from cognito:groups, unknown groups dropped', async () => {
    const token = issuer.mint({ sub: 'user-7', groups: ['ops', 'admins', 'merchant'] });
    expect((await authorize(authorizerEvent(bearer(token)))).context).toEqual({ sub: 'user-7', groups: 'merchant,ops' });
  });

  it('the header name and the scheme are case-insensitive', async () => {
    const result = await authorize(authorizerEvent({ authorization: `bearer ${issuer.devToken('ops')}` }));
    expect(result.context).toEqual({ sub: issuer.subs.ops, groups: 'ops' });
  });

  it('a credential in the query string is let through without a principal, and the handler answers 400 credentials_in_url', async () => {
    const query = { access_token: issuer.devToken('ops') };
    const result = await authorize(authorizerEvent({}, query));
    expect(effectOf(result)).toBe('Allow');
    expect(result.context).toEqual({});
    const reply = await invoke(
      feesQuote,
      proxyEvent({ method: 'POST', path: '/v1/fees/quote', body: { currency: 'USD', amount: 100, app_fee: 0 }, query }),
    );
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'access_token' });
  });
});

describe('Deny', () => {
  it('no Authorization header: authentication_required', async () => {
    expectDeny(await authorize(authorizerEvent({})), 'authentication_required');
  });

  it('an empty Authorization header: authentication_required', async () => {
    expectDeny(await authorize(authorizerEvent({ Authorization: '  ' })), 'authentication_required');
  });

  it.each([
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
    ['a bare token without scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.sig'],
    ['Bearer with nothing after it', 'Bearer'],
    ['Bearer with two tokens', 'Bearer one two'],
    ['Bearer garbage', 'Bearer garbage'],
    ['a malformed JWT', 'Bearer a.b.c'],
  ])('%s: token_invalid', async (_what, value) => {
    expectDeny(await authorize(authorizerEvent({ Authorization: value })), 'token_invalid');
  });

  it('a token signed by another key pair: token_invalid', async () => {
    expectDeny(await authorize(authorizerEvent(bearer(otherIssuer.devToken('ops')))), 'token_invalid');
  });

  it('a token from another issuer: token_invalid', async () => {
    const token = signWithIssuerKey(dataDir, { iss: 'https://cognito-idp.us-east-1.amazonaws.com/other', sub: 'u', 'cognito:groups': ['ops'] });
    expectDeny(await authorize(authorizerEvent(bearer(token))), 'token_invalid');
  });

  it('an expired token: token_expired', async () => {
    const token = issuer.mint({ sub: issuer.subs.payer, groups: ['payer'], issuedAt: Math.floor(Date.now() / 1000) - 3600, expiresInSeconds: 60 });
    expectDeny(await authorize(authorizerEvent(bearer(token))), 'token_expired');
  });

  it('never logs the token', async () => {
    const expired = issuer.mint({ sub: 'u', groups: ['payer'], issuedAt: 1_000_000, expiresInSeconds: 60 });
    const foreign = otherIssuer.devToken('payer');
    await authorize(authorizerEvent(bearer(expired)));
    await authorize(authorizerEvent(bearer(foreign)));
    await authorize(authorizerEvent({ Authorization: 'Basic dXNlcjpwYXNz' }));
    const logged = output.text();
    expect(logged).toContain('token_expired');
    for (const secret of [expired, foreign, expired.split('.')[2]!, foreign.split('.')[1]!, 'dXNlcjpwYXNz']) expect(logged).not.toContain(secret);
  });
});
