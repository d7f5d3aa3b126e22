// The API's "Every response" and "Authentication" rules at the handler: what every route's
// pipeline refuses before the use case runs, and what it never lets out (stack
// traces, card numbers, credentials from the URL).
import { handler as feesQuote } from '#functions/handlers/fees-quote.ts';
import { handler as health } from '#functions/handlers/health.ts';
import { handler as openapi } from '#functions/handlers/openapi.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { maxBodyBytes } from '#functions/http/middlewares.ts';
import { routes } from '#functions/routes.ts';
import { expectApiError, expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { captureOutput, type CapturedOutput } from '../../support/log-capture.ts';
import { invoke, proxyEvent, type ProxyEventOptions } from '../../support/proxy-event.ts';

const payer = { sub: 'user-payer-1', groups: ['payer'] };
const validQuote = { currency: 'USD', amount: 10000, app_fee: 400 };
/** A string body is sent as application/json unless the options give headers. */
const postQuote = (options: ProxyEventOptions = {}) =>
  invoke(
    feesQuote,
    proxyEvent({ method: 'POST', path: '/v1/fees/quote', principal: payer, body: validQuote, headers: { 'Content-Type': 'application/json' }, ...options }),
  );

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

describe('credentials in the URL', () => {
  const names = ['access_token', 'api_key', 'apikey', 'token', 'client_secret'];
  const casings = (name: string) => [name, name.toUpperCase(), name.replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => `${sep}${c.toUpperCase()}`)];
  const secret = 'sk_live_very_secret_value_123';

  it.each(names.flatMap((name) => casings(name).map((variant) => [variant, name])))(
    '?%s= is 400 credentials_in_url, before authentication, and its value is never logged',
    async (variant, name) => {
      // No authorizer context at all: the credential check still comes first.
      const reply = await invoke(feesQuote, proxyEvent({ method: 'POST', path: '/v1/fees/quote', body: validQuote, query: { [variant]: secret } }));
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: name });
      expect(reply.text).not.toContain(secret);
      expect(output.text()).not.toContain(secret);
    },
  );

  it.each([
    ['health', health, '/v1/health'],
    ['openapi', openapi, '/v1/openapi.json'],
  ] as const)('is refused on the public %s route too', async (_name, handler, path) => {
    const reply = await invoke(handler, proxyEvent({ path, query: { Access_Token: secret } }));
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'access_token' });
    expect(output.text()).not.toContain(secret);
  });

  it('is refused when the credential is only among multi-value parameters', async () => {
    const event = proxyEvent({ path: '/v1/health' });
    event.multiValueQueryStringParameters = { token: [secret, 'second'] };
    expectApiError(await invoke(health, event), { status: 400, type: 'invalid_request', code: 'credentials_in_url', param: 'token' });
  });

  it('other parameter names are not credentials', async () => {
    const reply = await invoke(health, proxyEvent({ path: '/v1/health', query: { tokenize: '1', my_token_id: '2', secret: '3' } }));
    expect(reply.status).toBe(200);
  });
});

describe('raw card data', () => {
  const card = '4242424242424242';
  const cases: [string, string][] = [
    ['a string with spaces', JSON.stringify({ ...validQuote, note: '4242 4242 4242 4242' })],
    ['a string with dashes', JSON.stringify({ ...validQuote, note: '4242-4242-4242-4242' })],
    ['a bare string', JSON.stringify({ ...validQuote, note: card })],
    ['a JSON number', `{"currency":"USD","amount":10000,"app_fee":400,"card":${card}}`],
    ['a number in a nested array', `{"currency":"USD","amount":10000,"app_fee":400,"x":[{"y":[${card}]}]}`],
    ['a field that would be invalid anyway', `{"currency":"USD","amount":${card},"app_fee":400}`],
    ['a body that is not even valid JSON', `{"currency":"USD","amount":${card},`],
  ];

  it.each(cases)('in %s is 400 raw_card_data, and the body is not logged', async (_what, body) => {
    const reply = await postQuote({ body });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'raw_card_data' });
    // Three groups of the card's digits: a bare "4242" may turn up by chance in a timestamp or an id.
    const cardDigits = /4242[ -]?4242[ -]?4242/;
    expect(reply.text).not.toMatch(cardDigits);
    const logged = output.text();
    expect(logged).toContain('raw_card_data'); // the refusal is logged, without the body
    expect(logged).not.toMatch(cardDigits);
    expect(logged).not.toContain('"currency"');
  });

  it('a Luhn-invalid 16-digit number is not card data', async () => {
    const reply = await postQuote({ body: JSON.stringify({ ...validQuote, note: '4242424242424241' }) });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'unknown_parameter', param: 'note' });
  });
});

describe('bodies', () => {
  it('over 64 KiB is 413 body_too_large', async () => {
    const body = JSON.stringify({ ...validQuote, padding: 'x'.repeat(maxBodyBytes) });
    expectApiError(await postQuote({ body }), { status: 413, type: 'invalid_request', code: 'body_too_large' });
  });

  it('of exactly 64 KiB is read (and then judged on its fields)', async () => {
    const prefix = JSON.stringify({ ...validQuote, padding: '' });
    const body = prefix.replace('"padding":""', `"padding":"${'x'.repeat(maxBodyBytes - prefix.length)}"`);
    expect(Buffer.byteLength(body)).toBe(64 * 1024);
    expectApiError(await postQuote({ body }), { status: 400, type: 'invalid_request', code: 'unknown_parameter', param: 'padding' });
  });

  it('counts bytes, not characters', async () => {
    const body = JSON.stringify({ ...validQuote, padding: '€'.repeat(maxBodyBytes / 3 + 1) });
    expect(body.length).toBeLessThan(maxBodyBytes);
    expectApiError(await postQuote({ body }), { status: 413, type: 'invalid_request', code: 'body_too_large' });
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['application/jsonp']])(
    'with Content-Type %s is 415 unsupported_media_type',
    async (contentType) => {
      const reply = await postQuote({ body: JSON.stringify(validQuote), headers: { 'Content-Type': contentType } });
      expect(output.text()).not.toContain('"currency"');
      expectApiError(reply, { status: 415, type: 'invalid_request', code: 'unsupported_media_type' });
    },
  );

  it('without a Content-Type is 415 unsupported_media_type', async () => {
    const event = proxyEvent({ method: 'POST', path: '/v1/fees/quote', principal: payer, body: JSON.stringify(validQuote) });
    expectApiError(await invoke(feesQuote, event), { status: 415, type: 'invalid_request', code: 'unsupported_media_type' });
  });

  it.each([
    ['truncated JSON', '{"currency": "USD", '],
    ['not JSON', 'currency=USD&amount=1'],
    ['a JSON array', '[1, 2, 3]'],
    ['a JSON string', '"USD"'],
    ['JSON null', 'null'],
  ])('that is %s is 400 body_unparseable', async (_what, body) => {
    expectApiError(await postQuote({ body }), {
      status: 400,
      type: 'invalid_request',
      code: 'body_unparseable',
    });
  });

  it('nested 32 levels deep is read; 33 levels is 400 body_unparseable', async () => {
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"x":1}${'}'.repeat(levels - 1)}`;
    const within = JSON.stringify({ ...validQuote, padding: 0 }).replace('0}', `${nested(31)}}`);
    expectApiError(await postQuote({ body: within }), { status: 400, type: 'invalid_request', code: 'unknown_parameter', param: 'padding' });
    const deeper = JSON.stringify({ ...validQuote, padding: 0 }).replace('0}', `${nested(32)}}`);
    expectApiError(await postQuote({ body: deeper }), { status: 400, type: 'invalid_request', code: 'body_unparseable' });
  });

  it('30,000 [ then 30,000 ] (60 KB) is 400 body_unparseable, not a stack overflow', async () => {
    const body = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    expectApiError(await postQuote({ body }), { status: 400, type: 'invalid_request', code: 'body_unparseable' });
  });

  it('a base64-encoded body (as API Gateway passes binary media) is decoded first', async () => {
    const event = proxyEvent({ method: 'POST', path: '/v1/fees/quote', principal: payer, body: validQuote });
    event.body = Buffer.from(event.body!).toString('base64');
    event.isBase64Encoded = true;
    expect((await invoke(feesQuote, event)).status).toBe(200);
  });
});

describe('the principal', () => {
  it('a protected route without the authorizer context is 401 authentication_required', async () => {
    const reply = await invoke(feesQuote, proxyEvent({ method: 'POST', path: '/v1/fees/quote', body: validQuote }));
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'authentication_required' });
  });

  it('an empty sub is 401 authentication_required', async () => {
    const reply = await postQuote({ principal: { sub: '', groups: ['payer'] } });
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'authentication_required' });
  });

  it.each([[[]], [['admin']], [['Payer']]])('a caller with groups %j has none of the route roles: 403 permission_denied', async (groups) => {
    const reply = await postQuote({ principal: { sub: 'user-x', groups } });
    expectApiError(reply, { status: 403, type: 'permission_error', code: 'permission_denied' });
  });

  it.each([['payer'], ['merchant'], ['ops']])('fees.quote accepts the role %s', async (role) => {
    expect((await postQuote({ principal: { sub: 'user-x', groups: [role] } })).status).toBe(200);
  });

  it('a payer on the merchant-only POST /v1/merchants is 403 permission_denied, before the use case; a merchant reaches it', async () => {
    let calls = 0;
    const useCase = async () => {
      calls += 1;
      return { statusCode: 201, body: {} };
    };
    // The real route's pipeline over a stand-in use case: no provider or database needed.
    const merchantsCreate = httpHandler(routes, 'merchants.create', useCase);
    // The API's example body.
    const body = { email: 'owner@example.com', first_name: 'Ada', last_name: 'Lovelace', account: { name: 'Blue Bottle Cafe', description: 'Coffee' } };
    const asPayer = await invoke(merchantsCreate, proxyEvent({ method: 'POST', path: '/v1/merchants', body, principal: payer }));
    expectApiError(asPayer, { status: 403, type: 'permission_error', code: 'permission_denied' });
    expect(calls).toBe(0);
    const asMerchant = await invoke(merchantsCreate, proxyEvent({ method: 'POST', path: '/v1/merchants', body, principal: { sub: 'm-1', groups: ['merchant'] } }));
    expect(asMerchant.status).toBe(201);
    expect(calls).toBe(1);
  });

  it('public routes need no principal', async () => {
    const reply = await invoke(health, proxyEvent({ path: '/v1/health' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
    expectEveryResponseHeaders(reply);
  });
});

describe('unexpected errors', () => {
  const failing = (error: unknown) =>
    httpHandler(routes, 'health', async () => {
      throw error;
    });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.7:5432 at /srv/app/secret.ts:12:3')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'sub')")],
    ['a thrown string', 'plain string failure'],
  ])('%s becomes 500 internal_error with a generic message and no stack', async (_what, error) => {
    const reply = await invoke(failing(error), proxyEvent({ path: '/v1/health' }));
    expectApiError(reply, { status: 500, type: 'api_error', code: 'internal_error' });
    expect(reply.body.error.message).toBe('An internal error occurred');
    expect(reply.text).not.toMatch(/ECONNREFUSED|secret|undefined|plain string/);
  });

  it('is logged with its request id, for the on-call engineer', async () => {
    const reply = await invoke(failing(new Error('database exploded')), proxyEvent({ path: '/v1/health', requestId: 'trace-me' }));
    expect(reply.status).toBe(500);
    const line = output
      .text()
      .split('\n')
      .find((l) => l.includes('database exploded'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'ERROR', request_id: 'req_trace-me' });
  });
});

describe('X-Request-Id', () => {
  it('falls back to the Lambda request id when the event has no request context id', async () => {
    const event = proxyEvent({ path: '/v1/health' });
    (event.requestContext as { requestId?: string }).requestId = undefined;
    const reply = await invoke(health, event);
    expectEveryResponseHeaders(reply);
  });

  it('differs between requests', async () => {
    const [a, b] = await Promise.all([invoke(health, proxyEvent()), invoke(health, proxyEvent())]);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});
