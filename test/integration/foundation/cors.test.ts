// CORS over HTTP against the local runtime, as the API's "Every response" rules say:
// preflights on every /v1 route without a token, the CORS headers on every answer
// to an allowed origin (the gateway's own errors included), none for any other
// origin; and the sandbox's card tokenization callable from any page.
import { resetConfig } from '#functions/config.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { startApiGateway } from '#local/api-gateway.ts';
import { ensureLocalSecrets } from '#local/secrets-file.ts';
import { expectApiError, expectEveryResponseHeaders, type Reply } from '../../support/api-expectations.ts';
import { call, startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';

const exposed = 'Retry-After, X-Request-Id, Idempotent-Replayed';
const userSetting = process.env.CORS_ALLOWED_ORIGINS;
let api: TestRuntime;
let localhostOrigin: string;

beforeAll(async () => {
  // The local default is what this file checks first, whatever the shell running the tests set.
  delete process.env.CORS_ALLOWED_ORIGINS;
  api = await startTestRuntime();
  localhostOrigin = `http://localhost:${new URL(api.apiUrl).port}`;
});
afterAll(async () => {
  await api?.close();
  if (userSetting === undefined) delete process.env.CORS_ALLOWED_ORIGINS;
  else process.env.CORS_ALLOWED_ORIGINS = userSetting;
  resetConfig();
});

/** Within `run`, CORS_ALLOWED_ORIGINS is `origins` (the functions and the gateway read it per request). */
async function withAllowedOrigins(origins: string, run: () => Promise<void>): Promise<void> {
  const before = process.env.CORS_ALLOWED_ORIGINS;
  process.env.CORS_ALLOWED_ORIGINS = origins;
  resetConfig();
  try {
    await run();
  } finally {
    if (before === undefined) delete process.env.CORS_ALLOWED_ORIGINS;
    else process.env.CORS_ALLOWED_ORIGINS = before;
    resetConfig();
  }
}

const preflight = (path: string, origin: string, method = 'POST') =>
  call(api.apiUrl, 'OPTIONS', path, {
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization,content-type' },
  });

function expectPreflightAllowed(reply: Reply, origin: string): void {
  expect(reply.status).toBe(204);
  expect(reply.text).toBe('');
  expect(reply.headers['access-control-allow-origin']).toBe(origin);
  expect(reply.headers['vary']).toMatch(/\bOrigin\b/);
  expect(reply.headers['access-control-allow-methods']).toBe('GET, POST, DELETE');
  const allowedHeaders = reply.headers['access-control-allow-headers']!.toLowerCase().split(/\s*,\s*/);
  expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
  expect(Number(reply.headers['access-control-max-age'])).toBeGreaterThan(0);
  expectEveryResponseHeaders(reply);
}

function expectCorsHeaders(reply: Reply, origin: string): void {
  expect(reply.headers['access-control-allow-origin']).toBe(origin);
  expect(reply.headers['vary']).toMatch(/\bOrigin\b/);
  expect(reply.headers['access-control-expose-headers']).toBe(exposed);
}

const corsHeaderNames = (reply: Reply) => Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));

describe('with the local default origins', () => {
  it("a page on http://localhost:$PORT preflights POST /v1/checkouts without a token, then makes the call and reads its answer", async () => {
    expectPreflightAllowed(await preflight('/v1/checkouts', localhostOrigin), localhostOrigin);
    const reply = await api.call('POST', '/v1/checkouts', {
      token: api.dev.tokens.payer,
      headers: { Origin: localhostOrigin },
      body: {
        unique_id: 'cors-order-1',
        account_id: api.dev.account_id,
        amount: 1000,
        currency: 'USD',
        short_description: 'Coffee from a browser',
        payment_method: { type: 'credit_card', credit_card: { id: api.dev.credit_card_ids.success } },
      },
    });
    expect(reply.status).toBe(201);
    expectCorsHeaders(reply, localhostOrigin);
  });

  it("allows the API's own origin", async () => {
    expectPreflightAllowed(await preflight('/v1/fees/quote', api.apiUrl), api.apiUrl);
    expectCorsHeaders(await api.call('GET', '/v1/health', { headers: { Origin: api.apiUrl } }), api.apiUrl);
  });

  it.each((routes as readonly RouteDefinition[]).map((r) => [`${r.method} ${r.path}`, r] as const))('answers the preflight of %s', async (_name, route) => {
    const path = route.path.replace(/\{\w+\}/g, 'x1');
    expectPreflightAllowed(await preflight(path, localhostOrigin, route.method), localhostOrigin);
  });

  it('answers a preflight from an unlisted origin with 204 and no CORS headers', async () => {
    const reply = await preflight('/v1/checkouts', 'https://evil.example');
    expect(reply.status).toBe(204);
    expect(corsHeaderNames(reply)).toEqual([]);
    const real = await api.call('GET', '/v1/health', { headers: { Origin: 'https://evil.example' } });
    expect(real.status).toBe(200);
    expect(corsHeaderNames(real)).toEqual([]);
  });

  describe('errors carry the CORS headers too', () => {
    const origin = () => localhostOrigin;
    const cases: [string, () => Promise<Reply>, { status: number; type: string; code: string; param?: string }][] = [
      ['401 without a token (the authorizer)', () => api.call('GET', '/v1/checkouts', { headers: { Origin: origin() } }), { status: 401, type: 'authentication_error', code: 'authentication_required' }],
      ['401 with a bad token', () => api.call('GET', '/v1/checkouts', { token: 'not-a-jwt', headers: { Origin: origin() } }), { status: 401, type: 'authentication_error', code: 'token_invalid' }],
      ['404 on an unknown path (the gateway)', () => api.call('GET', '/v1/nowhere', { headers: { Origin: origin() } }), { status: 404, type: 'not_found', code: 'resource_missing' }],
      [
        '404 for a checkout that does not exist (the function)',
        () => api.call('GET', '/v1/checkouts/chk_missing', { token: api.dev.tokens.payer, headers: { Origin: origin() } }),
        { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' },
      ],
      ['405 for a method the path does not have', () => api.call('DELETE', '/v1/health', { headers: { Origin: origin() } }), { status: 405, type: 'invalid_request', code: 'method_not_allowed' }],
      [
        '413 for a body over 64 KiB',
        () => api.call('POST', '/v1/fees/quote', { token: api.dev.tokens.payer, headers: { Origin: origin() }, body: { currency: 'USD', padding: 'x'.repeat(70_000) } }),
        { status: 413, type: 'invalid_request', code: 'body_too_large' },
      ],
      [
        '400 credentials_in_url on a route',
        () => api.call('GET', '/v1/health?access_token=abc', { headers: { Origin: origin() } }),
        { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'access_token' },
      ],
      [
        '400 credentials_in_url on an unknown path',
        () => api.call('GET', '/v1/nowhere?Token=abc', { headers: { Origin: origin() } }),
        { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'token' },
      ],
      [
        '400 for an invalid body',
        () => api.call('POST', '/v1/fees/quote', { token: api.dev.tokens.payer, headers: { Origin: origin() }, body: { currency: 'EUR', amount: 1, app_fee: 0 } }),
        { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'currency' },
      ],
    ];
    it.each(cases)('%s', async (_name, send, expected) => {
      const reply = await send();
      expectApiError(reply, expected);
      expectCorsHeaders(reply, localhostOrigin);
    });
  });
});

describe('with CORS_ALLOWED_ORIGINS set', () => {
  it('a page on another local origin preflights and calls the fee quote; the defaults no longer apply', async () => {
    await withAllowedOrigins('http://localhost:5173, https://shop.example.com', async () => {
      const origin = 'http://localhost:5173';
      expectPreflightAllowed(await preflight('/v1/fees/quote', origin), origin);
      const reply = await api.call('POST', '/v1/fees/quote', {
        token: api.dev.tokens.payer,
        headers: { Origin: origin },
        body: { currency: 'USD', amount: 10400, app_fee: 400 },
      });
      expect(reply.status).toBe(200);
      expectCorsHeaders(reply, origin);
      expectCorsHeaders(await api.call('GET', '/v1/health', { headers: { Origin: 'https://shop.example.com' } }), 'https://shop.example.com');

      const former = await preflight('/v1/fees/quote', localhostOrigin);
      expect(former.status).toBe(204);
      expect(corsHeaderNames(former)).toEqual([]);
    });
  });

  it("the gateway's 502 for a failing function carries them", async () => {
    await withAllowedOrigins('http://localhost:5173', async () => {
      const gateway = await startApiGateway({
        port: 0,
        loadHandler: async () => {
          throw new Error('cannot load');
        },
      });
      try {
        const reply = await call(gateway.url, 'GET', '/v1/health', { headers: { Origin: 'http://localhost:5173' } });
        expect(reply.status).toBe(502);
        expectCorsHeaders(reply, 'http://localhost:5173');
      } finally {
        await gateway.close();
      }
    });
  });
});

describe("the sandbox's /v2/credit_card/create", () => {
  it('answers a preflight from any origin, then tokenizes a card for that page; the preflight is not a provider call', async () => {
    const sandbox = api.runtime.sandboxUrl;
    const origin = 'https://any-shop.example';
    const pre = await call(sandbox, 'OPTIONS', '/v2/credit_card/create', {
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    expect(pre.headers['access-control-allow-headers']!.toLowerCase()).toContain('content-type');

    const card = {
      client_id: (await ensureLocalSecrets(api.dataDir)).credentials.clientId,
      user_name: 'Ada Lovelace',
      email: 'ada@example.com',
      cc_number: '4242424242424242',
      cvv: '123',
      expiration_month: 12,
      expiration_year: new Date().getUTCFullYear() + 2,
      address: { country: 'US', postal_code: '94105' },
    };
    const reply = await call(sandbox, 'POST', '/v2/credit_card/create', { headers: { Origin: origin }, body: card });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    const refused = await call(sandbox, 'POST', '/v2/credit_card/create', { headers: { Origin: origin }, body: { ...card, cc_number: '4242424242424241' } });
    expect(refused.status).toBe(400);
    expect(refused.headers['access-control-allow-origin']).toBe('*');

    const calls = await call(sandbox, 'GET', '/__sandbox/calls?path=/v2/credit_card/create');
    expect(calls.body.calls.slice(-2).map((c: { status: number }) => c.status)).toEqual([200, 400]);
  });
});
