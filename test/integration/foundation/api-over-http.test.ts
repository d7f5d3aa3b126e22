// The local runtime of `npm start`, in-process on free ports with a fresh data
// directory, exercised over HTTP: health, OpenAPI, fee quotes with the dev.json
// tokens, every authentication and pipeline error these routes can give, and
// the headers of every response.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { ensureLocalIssuer, type LocalIssuer } from '#local/issuer.ts';
import { expectApiError, expectEveryResponseHeaders, type Reply } from '../../support/api-expectations.ts';
import { startTestRuntime, type CallOptions, type TestRuntime } from '../../support/local-runtime.ts';

let api: TestRuntime;
let issuer: LocalIssuer;

beforeAll(async () => {
  api = await startTestRuntime();
  // The same data directory, hence the same key pair as the runtime's issuer.
  issuer = await ensureLocalIssuer(api.dataDir);
});
afterAll(() => api?.close());

/** Every reply of this file passes the API's header checks before the test looks at it. */
async function call(method: string, path: string, options?: CallOptions): Promise<Reply> {
  const reply = await api.call(method, path, options);
  expectEveryResponseHeaders(reply);
  return reply;
}
const quote = (body: unknown, token: string = api.dev.tokens.payer, headers?: Record<string, string>) =>
  call('POST', '/v1/fees/quote', { body, token, ...(headers ? { headers } : {}) });
const threePercent = { bps: 300, fixed: 0 };

describe('public routes', () => {
  it('GET /v1/health is 200 {"status":"ok"} without a token', async () => {
    const reply = await call('GET', '/v1/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('GET /v1/openapi.json is the OpenAPI 3.1 document of every route, with its error responses', async () => {
    const reply = await call('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toMatch(/^3\.1\./);
    for (const route of routes as readonly RouteDefinition[]) {
      const operation = reply.body.paths[route.path]?.[route.method.toLowerCase()];
      expect({ route: route.id, documented: operation !== undefined }).toEqual({ route: route.id, documented: true });
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses).toContain(route.success.status);
      expect(statuses).toEqual(expect.arrayContaining([400, 500]));
      if (Array.isArray(route.access)) expect(statuses).toEqual(expect.arrayContaining([401, 403]));
    }
  });
});

describe('POST /v1/fees/quote with the dev.json tokens', () => {
  it("the API's example gives its documented response", async () => {
    const reply = await quote({ currency: 'USD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: 100 }, processing_fee_rate: threePercent });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      currency: 'USD',
      fee_payer: 'payee_from_app',
      amount: 10100,
      app_fee: 400,
      processing_fee: 303,
      payer_total: 10100,
      merchant_net: 9700,
      platform_net: 97,
    });
  });

  it.each([
    ['paid by the merchant', 0, { amount: 10000, merchant_net: 9600, processing_fee: 300, payer_total: 10000 }],
    ['paid by the payer', 400, { amount: 10400, merchant_net: 10000, processing_fee: 312, payer_total: 10400 }],
    ['split 3%/1%', 100, { amount: 10100, merchant_net: 9700, processing_fee: 303, payer_total: 10100 }],
  ])('use case: $100, 4%% platform fee %s, 3%% processing', async (_name, payerShareBps, expected) => {
    const reply = await quote({ currency: 'USD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: payerShareBps }, processing_fee_rate: threePercent });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ app_fee: 400, fee_payer: 'payee_from_app', ...expected });
  });

  it.each(['payer', 'payer2', 'merchant', 'ops'] as const)('any role may quote: the %s token', async (user) => {
    const reply = await quote({ currency: 'CAD', amount: 10000, app_fee: 400 }, api.dev.tokens[user]);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ currency: 'CAD', processing_fee: 320, merchant_net: 9600 });
  });

  it('a token without a role is 403 permission_denied', async () => {
    const reply = await quote({ currency: 'USD', amount: 10000, app_fee: 400 }, issuer.mint({ sub: 'nobody', groups: [] }));
    expectApiError(reply, { status: 403, type: 'permission_error', code: 'permission_denied' });
  });
});

describe('authentication', () => {
  it('no Authorization header is 401 authentication_required', async () => {
    const reply = await call('POST', '/v1/fees/quote', { body: { currency: 'USD', amount: 100, app_fee: 0 } });
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'authentication_required' });
  });

  it.each([
    ['garbage', 'Bearer garbage'],
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
    ['a token with a forged signature', 'forged'],
  ])('%s is 401 token_invalid', async (_what, authorization) => {
    const value = authorization === 'forged' ? `Bearer ${api.dev.tokens.payer.slice(0, -6)}AAAAAA` : authorization;
    const reply = await call('POST', '/v1/fees/quote', { body: { currency: 'USD', amount: 100, app_fee: 0 }, headers: { Authorization: value } });
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'token_invalid' });
  });

  it('an expired token is 401 token_expired', async () => {
    const expired = issuer.mint({ sub: issuer.subs.payer, groups: ['payer'], issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 3600 });
    expectApiError(await quote({ currency: 'USD', amount: 100, app_fee: 0 }, expired), {
      status: 401,
      type: 'authentication_error',
      code: 'token_expired',
    });
  });

  it('a credential in the query string is 400 credentials_in_url before authentication, and is not echoed', async () => {
    const secret = 'very-secret-query-credential';
    for (const [path, method] of [
      ['/v1/fees/quote', 'POST'],
      ['/v1/health', 'GET'],
      ['/v1/openapi.json', 'GET'],
    ] as const) {
      const reply = await call(method, `${path}?Client_Secret=${secret}`, method === 'POST' ? { body: {} } : {});
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'client_secret' });
      expect(reply.text).not.toContain(secret);
    }
  });
});

describe('routing', () => {
  it('an unknown path is 404 resource_missing', async () => {
    expectApiError(await call('GET', '/v1/nothing-here'), { status: 404, type: 'not_found', code: 'resource_missing' });
    expectApiError(await call('GET', '/'), { status: 404, type: 'not_found', code: 'resource_missing' });
  });

  it('a known path with another method is 405 method_not_allowed with Allow', async () => {
    const reply = await call('GET', '/v1/fees/quote', { token: api.dev.tokens.payer });
    expectApiError(reply, { status: 405, type: 'invalid_request', code: 'method_not_allowed' });
    expect(reply.headers.allow).toBe('POST');
    expectApiError(await call('DELETE', '/v1/health'), { status: 405, type: 'invalid_request', code: 'method_not_allowed' });
  });
});

describe('request bodies over HTTP', () => {
  it('over 64 KiB is 413 body_too_large', async () => {
    const reply = await quote(JSON.stringify({ currency: 'USD', amount: 100, app_fee: 0, pad: 'x'.repeat(70_000) }), undefined, {
      'Content-Type': 'application/json',
    });
    expectApiError(reply, { status: 413, type: 'invalid_request', code: 'body_too_large' });
  });

  it('text/plain is 415 unsupported_media_type', async () => {
    const reply = await quote(JSON.stringify({ currency: 'USD', amount: 100, app_fee: 0 }), undefined, { 'Content-Type': 'text/plain' });
    expectApiError(reply, { status: 415, type: 'invalid_request', code: 'unsupported_media_type' });
  });

  it('broken JSON is 400 body_unparseable', async () => {
    const reply = await quote('{"currency":', undefined, { 'Content-Type': 'application/json' });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'body_unparseable' });
  });

  it('a card number, as a string or a number, is 400 raw_card_data', async () => {
    for (const body of [
      '{"currency":"USD","amount":100,"app_fee":0,"note":"4242-4242-4242-4242"}',
      '{"currency":"USD","amount":4242424242424242,"app_fee":0}',
    ]) {
      const reply = await quote(body, undefined, { 'Content-Type': 'application/json' });
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'raw_card_data' });
      // Card digits in groups: a bare "4242" may turn up by chance in the random request id.
      expect(reply.text).not.toMatch(/4242[ -]?4242[ -]?4242/);
    }
  });

  it.each([
    [{ currency: 'USD', amount: 100, app_fee: 0, tip: 1 }, 'unknown_parameter', 'tip'],
    [{ currency: 'USD', app_fee: 0 }, 'parameter_missing', 'amount'],
    [{ currency: 'USD', amount: 100, app_fee: 0, processing_fee_rate: { bps: -1, fixed: 0 } }, 'parameter_invalid', 'processing_fee_rate.bps'],
    [{ currency: 'USD', amount: 10000, app_fee: 2001 }, 'app_fee_too_high', 'app_fee'],
  ])('%j is 400 %s on %s', async (body, code, param) => {
    expectApiError(await quote(body), { status: 400, type: 'invalid_request', code, param });
  });
});

describe('dev.json and the data directory', () => {
  const mode = (path: string) => statSync(join(api.dataDir, path)).mode & 0o777;

  it('dev.json has the URLs, the five tokens, the demo account, the client id and the card ids', () => {
    const dev = JSON.parse(readFileSync(join(api.dataDir, 'dev.json'), 'utf8'));
    expect(dev).toEqual(api.dev);
    expect(dev.api_url).toBe(api.apiUrl);
    expect(dev.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dev.sandbox_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(dev.tokens).sort()).toEqual(['merchant', 'merchant2', 'ops', 'payer', 'payer2']);
    const claims = Object.fromEntries(
      Object.entries<string>(dev.tokens).map(([user, token]) => [user, JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))]),
    );
    expect(claims.payer['cognito:groups']).toEqual(['payer']);
    expect(claims.payer2['cognito:groups']).toEqual(['payer']);
    expect(claims.merchant['cognito:groups']).toEqual(['merchant']);
    expect(claims.merchant2['cognito:groups']).toEqual(['merchant']);
    expect(claims.ops['cognito:groups']).toEqual(['ops']);
    expect(new Set(Object.values(claims).map((c) => c.sub)).size).toBe(5);
    expect(dev.client_id).toEqual(expect.any(String));
    expect(dev.account_id).toMatch(/^acc_/);
    expect(dev.credit_card_ids).toEqual({ success: expect.any(String), decline: expect.any(String) });
    expect(dev.credit_card_ids.success).not.toBe(dev.credit_card_ids.decline);
  });

  it('keys and secrets are readable by their owner only', () => {
    for (const file of ['dev.json', 'issuer/private-key.pem', 'issuer/users.json', 'keys/token-key.bin', 'secrets/platform.json']) {
      expect({ file, mode: mode(file).toString(8) }).toEqual({ file, mode: '600' });
    }
    for (const dir of ['.', 'issuer', 'keys', 'secrets']) expect({ dir, mode: mode(dir).toString(8) }).toEqual({ dir, mode: '700' });
  });
});
