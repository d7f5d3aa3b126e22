// The reproductions of issue 12, over HTTP against the local runtime: each one
// that used to answer 500/502 now answers the 4xx the API contract documents, with the
// error body and the headers of every response. The fuzz test
// (hostile-fuzz.test.ts) generates many more of their kind.
import { expectApiError, expectEveryResponseHeaders, type Reply } from '../../support/api-expectations.ts';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';
import { rawRequest, type RawRequest } from '../../support/raw-request.ts';

let rt: TestRuntime;
// Jest applies a project's testTimeout to tests, not to hooks: a loaded machine needs the explicit one.
beforeAll(async () => {
  rt = await startTestRuntime();
}, 60_000);
afterAll(async () => {
  await rt?.close();
});

const send = (options: RawRequest) => rawRequest(rt.apiUrl, options);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const json = { 'Content-Type': 'application/json' };
const notFound = { status: 404, type: 'not_found', code: 'resource_missing' } as const;

describe('header and query names that are Object.prototype members', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it.each(names)('a query parameter named %s: /v1/health still answers 200', async (name) => {
    const reply = await send({ method: 'GET', path: `/v1/health?${name}=1&${name}=2` });
    expect(reply.status).toBe(200);
    expectEveryResponseHeaders(reply);
  });

  it.each(names)('a header named %s: /v1/health 200, and a protected route still authenticates', async (name) => {
    const health = await send({ method: 'GET', path: '/v1/health', headers: { [name]: 'x' } });
    expect(health.status).toBe(200);
    const quote = await send({
      method: 'POST',
      path: '/v1/fees/quote',
      headers: { [name]: 'x', ...bearer(rt.dev.tokens.payer), ...json },
      body: JSON.stringify({ currency: 'USD', amount: 10_000, app_fee: 0 }),
    });
    expect(quote.status).toBe(200);
    expectApiError(await send({ method: 'POST', path: '/v1/fees/quote', headers: { [name]: 'x', ...json }, body: '{}' }), {
      status: 401,
      type: 'authentication_error',
      code: 'authentication_required',
    });
  });

  it('a listing with ?__proto__= or ?constructor= is 400 unknown_parameter', async () => {
    for (const name of ['__proto__', 'constructor']) {
      expectApiError(await send({ method: 'GET', path: `/v1/checkouts?${name}=1`, headers: bearer(rt.dev.tokens.payer) }), {
        status: 400,
        type: 'invalid_request',
        code: 'unknown_parameter',
        param: name,
      });
    }
  });
});

describe('paths', () => {
  it.each(['/v1/checkouts/%ZZ', '/v1/checkouts/%', '/v1/checkouts/%E0%A4%A', '/v1/merchants/%C0%AF', '/v1/checkouts/%ZZ/capture'])(
    'malformed percent-encoding (%s) is 404 resource_missing',
    async (path) => {
      const method = path.endsWith('/capture') ? 'POST' : 'GET';
      expectApiError(await send({ method, path, headers: { ...bearer(rt.dev.tokens.ops), ...json }, body: method === 'POST' ? '{"unique_id":"u-1"}' : undefined }), notFound);
    },
  );

  it.each([
    ['a checkout', (id: string) => ['GET', `/v1/checkouts/${id}`]],
    ['a merchant account', (id: string) => ['GET', `/v1/merchants/${id}`]],
    ['a capture', (id: string) => ['POST', `/v1/checkouts/${id}/capture`]],
    ['a refund', (id: string) => ['POST', `/v1/checkouts/${id}/refund`]],
  ])('an id of 2,100 characters for %s is 404 resource_missing (DynamoDB refuses such keys; the id never reaches it)', async (_what, target) => {
    for (const id of [`chk_${'a'.repeat(2100)}`, `acc_${'b'.repeat(2100)}`, '%5F'.repeat(700)]) {
      const [method, path] = target(id) as [string, string];
      const uniqueId = `long-${Math.random().toString(36).slice(2)}`;
      const body = method === 'GET' ? undefined : JSON.stringify(path.endsWith('/refund') ? { unique_id: uniqueId, reason: 'x' } : { unique_id: uniqueId });
      const reply = await send({ method, path, headers: { ...bearer(rt.dev.tokens.ops), ...json }, body });
      expectApiError(reply, { ...notFound, param: 'id' });
      expect(reply.text).not.toContain('a'.repeat(100));
    }
  });

  it('a request target that is not a path (absolute form, //host) is 404 resource_missing', async () => {
    for (const path of ['http://[/v1/health', '//v1/health', '*']) {
      expectApiError(await send({ method: 'GET', path }), notFound);
    }
  });

  it('a method Node does not know is 405 method_not_allowed, in the API\'s shape', async () => {
    const reply = await send({ method: 'FOO', path: '/v1/health' });
    expectApiError(reply, { status: 405, type: 'invalid_request', code: 'method_not_allowed' });
  });
});

describe('bodies', () => {
  const quote = (body: string): Promise<Reply> =>
    send({ method: 'POST', path: '/v1/fees/quote', headers: { ...bearer(rt.dev.tokens.payer), ...json }, body });

  it('30,000 [ then 30,000 ] (60 KB) is 400 body_unparseable', async () => {
    expectApiError(await quote(`${'['.repeat(30_000)}${']'.repeat(30_000)}`), { status: 400, type: 'invalid_request', code: 'body_unparseable' });
  });

  it('33 levels of objects is 400 body_unparseable; a card number at the bottom is still 400 raw_card_data', async () => {
    const nested = (inner: string) => `${'{"a":'.repeat(32)}${inner}${'}'.repeat(32)}`;
    expectApiError(await quote(nested('{"b":1}')), { status: 400, type: 'invalid_request', code: 'body_unparseable' });
    expectApiError(await quote(nested('4242424242424242')), { status: 400, type: 'invalid_request', code: 'raw_card_data' });
  });

  it('huge numbers are 400 parameter_invalid, never a 5xx', async () => {
    for (const amount of ['1e400', '-1e400', '123456789012345678901234567890', '1e-400']) {
      const reply = await quote(`{"currency":"USD","amount":${amount},"app_fee":0}`);
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'amount' });
    }
  });
});
