import { parseConfig } from '#functions/config.ts';
import {
  CardDeclinedError,
  InvalidStateError,
  ProviderCredentialsRevokedError,
  ProviderError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RateLimitedError,
} from '#functions/domain/errors.ts';
import {
  WEPAY_USER_SCOPES,
  WePayClient,
  wepayClientFromConfig,
  type WePayClientOptions,
} from '#functions/adapters/providers/wepay/wepay-client.ts';
import { FakeWePay, app, checkoutInput, checkoutJson, drop, hang, html, json, merchantToken, wepayError } from './fake-wepay-server.ts';
import type { ProviderCallRecord } from '#functions/observability.ts';

const unknownError = wepayError(500, 'processing_error', 1008, 'There was an unknown error - please contact for support');
const decline = wepayError(400, 'processing_error', 1008, 'Unable to charge payment method: general decline');


let wepay: FakeWePay;
let sleeps: number[];

beforeEach(async () => {
  wepay = await new FakeWePay().start();
  sleeps = [];
});
afterEach(async () => {
  await wepay.stop();
});

function client(overrides: Partial<WePayClientOptions> = {}): WePayClient {
  return new WePayClient({
    baseUrl: wepay.url,
    // Far above any local answer, even on a loaded machine: only `hang` times out.
    timeoutMs: 10_000,
    maxAttempts: 3,
    credentials: async () => app,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

function bodyOf(request: { body: string } | undefined): Record<string, unknown> {
  return JSON.parse(request?.body ?? 'null') as Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('WePayClient wire format', () => {
  it('sends the access token only in the Authorization header of a JSON POST', async () => {
    wepay.script('/checkout', json(200, checkoutJson()));
    await client().getCheckout(merchantToken, '1234567');

    const [request] = wepay.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`Bearer ${merchantToken}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.url).toBe('/v2/checkout');
    expect(request?.body).not.toContain(merchantToken);
    expect(request?.body).toBe('{"checkout_id":1234567}');
  });

  it('sends the checkout amount and app fee as exact decimal dollars with the unique_id', async () => {
    wepay.script('/checkout/create', json(200, checkoutJson()));
    await client().createCheckout(merchantToken, checkoutInput);

    const body = wepay.callsTo('/checkout/create')[0]?.body ?? '';
    expect(body).toContain('"amount":104.00');
    expect(body).toContain('"fee":{"app_fee":4.00,"fee_payer":"payee_from_app"}');
    expect(bodyOf(wepay.requests[0])).toMatchObject({
      account_id: 777,
      unique_id: 'u-1',
      currency: 'USD',
      type: 'goods',
      reference_id: 'order-7f3a',
      payment_method: { type: 'credit_card', credit_card: { id: 55555, auto_capture: true } },
    });
    expect(body).not.toContain(merchantToken);
  });

  it('maps the WePay checkout to cents and string ids', async () => {
    wepay.script('/checkout', json(200, checkoutJson({ amount_refunded: '1.50', chargeback: '{"amount_charged_back": 0.25}' })));
    await expect(client().getCheckout(merchantToken, '1234567')).resolves.toEqual({
      checkoutId: '1234567',
      accountId: '777',
      state: 'authorized',
      amount: 10400,
      currency: 'USD',
      shortDescription: 'Two coffees',
      type: 'goods',
      appFee: 400,
      feePayer: 'payee_from_app',
      processingFee: 332,
      amountRefunded: 150,
      amountChargedBack: 25,
      uniqueId: 'u-1',
      referenceId: 'order-7f3a',
      createTime: 1700000000,
    });
  });

  it('registers users with the client credentials in the body and the full scope list', async () => {
    wepay.script('/user/register', json(200, { user_id: 4242, access_token: 'STAGE_new-user-token', token_type: 'bearer' }));
    const user = await client().registerUser({
      email: 'owner@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      originalIp: '203.0.113.9',
      originalDevice: 'Mozilla/5.0',
      tosAcceptanceTime: 1700000000,
    });

    expect(user).toEqual({ userId: '4242', accessToken: 'STAGE_new-user-token' });
    expect(WEPAY_USER_SCOPES.join(',')).toBe('manage_accounts,collect_payments,view_user,preapprove_payments,send_money');
    const request = wepay.callsTo('/user/register')[0];
    expect(request?.headers.authorization).toBe(`Bearer ${app.appAccessToken}`);
    expect(request?.url).toBe('/v2/user/register');
    expect(bodyOf(request)).toEqual({
      client_id: 112233,
      client_secret: app.clientSecret,
      email: 'owner@example.com',
      scope: 'manage_accounts,collect_payments,view_user,preapprove_payments,send_money',
      first_name: 'Ada',
      last_name: 'Lovelace',
      original_ip: '203.0.113.9',
      original_device: 'Mozilla/5.0',
      tos_acceptance_time: 1700000000,
    });
    expect(request?.body).not.toContain(app.appAccessToken);
  });

  it('creates accounts with the merchant token', async () => {
    wepay.script('/account/create', json(200, { account_id: 777, name: 'Blue Bottle Cafe', state: 'active' }));
    await expect(
      client().createAccount(merchantToken, { name: 'Blue Bottle Cafe', description: 'Coffee', referenceId: 'acc_1' }),
    ).resolves.toEqual({ accountId: '777', name: 'Blue Bottle Cafe', state: 'active' });
    expect(bodyOf(wepay.requests[0])).toEqual({ name: 'Blue Bottle Cafe', description: 'Coffee', reference_id: 'acc_1' });
  });

  it('answers an unexpected checkout object with a ProviderError rather than guessing', async () => {
    wepay.script('/checkout', json(200, checkoutJson({ amount: '104.005' })));
    await expect(client().getCheckout(merchantToken, '1234567')).rejects.toBeInstanceOf(ProviderError);
  });
});

describe('WePayClient retry loop', () => {
  it('retries a timed-out create with the same unique_id and the same body', async () => {
    wepay.script('/checkout/create', hang, json(200, checkoutJson()));
    // The first attempt hangs (it can only time out); the second must answer within the same timeout, under load too.
    const checkout = await client({ timeoutMs: 2_000 }).createCheckout(merchantToken, checkoutInput);

    expect(checkout.checkoutId).toBe('1234567');
    const calls = wepay.callsTo('/checkout/create');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body).toBe(calls[0]?.body);
    expect(bodyOf(calls[1]).unique_id).toBe('u-1');
  });

  it('retries a create whose connection was dropped', async () => {
    wepay.script('/checkout/create', drop, drop, json(200, checkoutJson()));
    await expect(client().createCheckout(merchantToken, checkoutInput)).resolves.toMatchObject({ amount: 10400 });
    expect(wepay.callsTo('/checkout/create')).toHaveLength(3);
  });

  it('retries error 1008 with the unknown-error message, matched case-insensitively', async () => {
    wepay.script(
      '/checkout/create',
      unknownError,
      wepayError(500, 'processing_error', 1008, 'THERE WAS AN UNKNOWN ERROR - PLEASE CONTACT FOR SUPPORT'),
      json(200, checkoutJson()),
    );
    await expect(client().createCheckout(merchantToken, checkoutInput)).resolves.toMatchObject({ checkoutId: '1234567' });
    expect(wepay.callsTo('/checkout/create')).toHaveLength(3);
  });

  it('retries an unreadable gateway answer (HTML 502) as an unknown outcome', async () => {
    wepay.script('/checkout/create', html(502), json(200, checkoutJson()));
    await expect(client().createCheckout(merchantToken, checkoutInput)).resolves.toMatchObject({ checkoutId: '1234567' });
    expect(wepay.callsTo('/checkout/create')).toHaveLength(2);
  });

  it('gives up after maxAttempts with ProviderUnavailableError, the same unique_id every time', async () => {
    wepay.otherwise('/checkout/create', unknownError);
    const error = await rejection(client({ maxAttempts: 4 }).createCheckout(merchantToken, checkoutInput));

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    const calls = wepay.callsTo('/checkout/create');
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => bodyOf(c).unique_id))).toEqual(new Set(['u-1']));
  });

  it('waits a full-jitter exponential backoff between attempts', async () => {
    wepay.otherwise('/checkout/create', unknownError);
    await rejection(client({ maxAttempts: 5, random: () => 0.5, backoffBaseMs: 100, backoffCapMs: 300 }).createCheckout(merchantToken, checkoutInput));
    // random × min(cap, base × 2^(n−1)) after attempts 1..4, none after the last
    expect(sleeps).toEqual([50, 100, 150, 150]);
  });

  it('never retries a decline', async () => {
    wepay.otherwise('/checkout/create', decline);
    const error = await rejection(client().createCheckout(merchantToken, checkoutInput));

    expect(error).toBeInstanceOf(CardDeclinedError);
    expect(error.message).toBe('The card was declined');
    expect(wepay.callsTo('/checkout/create')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('never retries a 1008 whose message is not exactly the unknown error', async () => {
    wepay.otherwise('/checkout/create', wepayError(500, 'processing_error', 1008, 'there was an unknown error - please contact for support; risk review'));
    await expect(client().createCheckout(merchantToken, checkoutInput)).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(wepay.callsTo('/checkout/create')).toHaveLength(1);
  });

  it('does not retry throttling: RateLimitedError with the provider window as retry-after', async () => {
    wepay.otherwise('/checkout/create', wepayError(400, 'throttle_exceeded', 1007, 'too many requests, please try again later'));
    const error = await rejection(client().createCheckout(merchantToken, checkoutInput));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(10);
    expect(wepay.callsTo('/checkout/create')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("takes the throttle's Retry-After header when the provider sends one", async () => {
    wepay.otherwise('/checkout/create', wepayError(400, 'throttle_exceeded', 1007, 'too many requests', { 'Retry-After': '7' }));
    const error = await rejection(client().createCheckout(merchantToken, checkoutInput));
    expect((error as RateLimitedError).retryAfterSeconds).toBe(7);
    expect(wepay.callsTo('/checkout/create')).toHaveLength(1);
  });

  it.each([
    [4004, 'checkout cannot be captured in state "new"', InvalidStateError],
    [1011, 'access_token has been revoked', ProviderCredentialsRevokedError],
    [1006, 'access_token is invalid', ProviderError],
    [1003, 'amount is invalid', ProviderRejectedError],
    [1004, 'account_id parameter is required', ProviderRejectedError],
  ])('maps WePay error %i to its named error without retrying', async (code, description, expected) => {
    wepay.otherwise('/checkout/create', wepayError(400, 'invalid_request', code, description));
    const error = await rejection(client().createCheckout(merchantToken, checkoutInput));

    expect(error).toBeInstanceOf(expected);
    if (error instanceof ProviderRejectedError) expect(error.providerErrorCode).toBe(code);
    expect(wepay.callsTo('/checkout/create')).toHaveLength(1);
  });

  it('retries a fetch of the checkout after a dropped connection', async () => {
    wepay.script('/checkout', drop, json(200, checkoutJson()));
    await expect(client().getCheckout(merchantToken, '1234567')).resolves.toMatchObject({ state: 'authorized' });
    expect(wepay.callsTo('/checkout')).toHaveLength(2);
  });
});

describe('WePayClient writes without a unique_id', () => {
  it('reconciles a capture whose first attempt was dropped and whose repeat got 4004', async () => {
    wepay.script('/checkout/capture', drop, wepayError(400, 'invalid_request', 4004, 'checkout cannot be captured in state "captured"'));
    wepay.script('/checkout', json(200, checkoutJson({ state: '"captured"' })), json(200, checkoutJson({ state: '"captured"' })));

    await expect(client().captureCheckout(merchantToken, '1234567')).resolves.toMatchObject({ state: 'captured' });
    expect(wepay.callsTo('/checkout/capture')).toHaveLength(2);
  });

  it('reports 4004 on the first capture attempt as InvalidStateError without reconciling', async () => {
    wepay.script('/checkout/capture', wepayError(400, 'invalid_request', 4004, 'checkout cannot be captured in state "new"'));
    await expect(client().captureCheckout(merchantToken, '1234567')).rejects.toBeInstanceOf(InvalidStateError);
    expect(wepay.callsTo('/checkout')).toHaveLength(0);
  });

  it('keeps the 4004 when the repeat finds the checkout in another state', async () => {
    wepay.script('/checkout/cancel', drop, wepayError(400, 'invalid_request', 4004, 'checkout cannot be cancelled in state "captured"'));
    wepay.script('/checkout', json(200, checkoutJson({ state: '"captured"' })));
    await expect(client().cancelCheckout(merchantToken, '1234567', 'customer asked')).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('returns the full checkout after a capture that answers with its id and state only', async () => {
    wepay.script('/checkout/capture', json(200, { checkout_id: 1234567, state: 'captured' }));
    wepay.script('/checkout', json(200, checkoutJson({ state: '"captured"' })));
    await expect(client().captureCheckout(merchantToken, '1234567')).resolves.toMatchObject({ state: 'captured', amount: 10400 });
  });

  it('sends cancel and refund reasons, a partial refund amount in decimal dollars', async () => {
    wepay.otherwise('/checkout/cancel', json(200, checkoutJson({ state: '"cancelled"' })));
    wepay.otherwise('/checkout/refund', json(200, checkoutJson({ state: '"authorized"', amount_refunded: '5.00' })));
    await client().cancelCheckout(merchantToken, '1234567', 'customer asked');
    await client().refundCheckout(merchantToken, '1234567', 'broken cup', 500);

    expect(wepay.callsTo('/checkout/cancel')[0]?.body).toBe('{"checkout_id":1234567,"cancel_reason":"customer asked"}');
    expect(wepay.callsTo('/checkout/refund')[0]?.body).toBe('{"checkout_id":1234567,"refund_reason":"broken cup","amount":5.00}');
  });

  it('never repeats a partial refund whose outcome is unknown', async () => {
    wepay.otherwise('/checkout/refund', drop);
    const error = await rejection(client().refundCheckout(merchantToken, '1234567', 'broken cup', 500));

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toMatch(/fetch/);
    expect(wepay.callsTo('/checkout/refund')).toHaveLength(1);
  });

  it('never repeats /user/register or /account/create whose outcome is unknown', async () => {
    wepay.otherwise('/user/register', unknownError);
    wepay.otherwise('/account/create', drop);
    await expect(
      client().registerUser({ email: 'a@example.com', firstName: 'A', lastName: 'B', originalIp: '203.0.113.9', originalDevice: 'x', tosAcceptanceTime: 1 }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(client().createAccount(merchantToken, { name: 'Blue Bottle Cafe', description: 'Coffee', referenceId: 'r' })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(wepay.callsTo('/user/register')).toHaveLength(1);
    expect(wepay.callsTo('/account/create')).toHaveLength(1);
  });
});

describe('WePayClient secrets and configuration', () => {
  it('keeps tokens and secrets out of error messages, causes and what each attempt reports', async () => {
    const logged: string[] = [];
    const onAttempt = (attempt: ProviderCallRecord) => logged.push(JSON.stringify(attempt));
    wepay.script('/checkout/create', wepayError(400, 'invalid_request', 1003, `bad token ${merchantToken}`));
    wepay.script('/user/register', wepayError(400, 'invalid_client', 1003, `client_secret ${app.clientSecret} is wrong`));
    wepay.otherwise('/checkout', drop);

    const errors = [
      await rejection(client({ onAttempt }).createCheckout(merchantToken, checkoutInput)),
      await rejection(
        client({ onAttempt }).registerUser({ email: 'a@example.com', firstName: 'A', lastName: 'B', originalIp: '203.0.113.9', originalDevice: 'x', tosAcceptanceTime: 1 }),
      ),
      await rejection(client({ onAttempt }).getCheckout(merchantToken, '1234567')),
    ];
    const text = [...errors.map((e) => `${e.message} ${String(e.cause)} ${JSON.stringify(e)}`), ...logged].join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [merchantToken, app.clientSecret, app.appAccessToken]) expect(text).not.toContain(secret);
  });

  it('switches the base URL with PROVIDER_BASE_URL alone', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(checkoutJson(), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const secrets = { platformCredentials: async () => ({ ...app, ipnRouteSecret: 'ipn-secret', previousIpnRouteSecrets: [] }) };
    for (const baseUrl of ['https://stage.wepayapi.com/v2', 'https://wepayapi.com/v2', 'http://127.0.0.1:3001/v2/']) {
      const cfg = parseConfig({ PROVIDER_BASE_URL: baseUrl, PROVIDER_TIMEOUT_MS: '1234', PROVIDER_MAX_ATTEMPTS: '2' });
      await wepayClientFromConfig(cfg, secrets, { fetch: fakeFetch }).getCheckout(merchantToken, '1');
    }
    expect(urls).toEqual([
      'https://stage.wepayapi.com/v2/checkout',
      'https://wepayapi.com/v2/checkout',
      'http://127.0.0.1:3001/v2/checkout',
    ]);
  });

  it('takes the attempt count and per-call timeout from the configuration', async () => {
    wepay.otherwise('/checkout', hang);
    const cfg = parseConfig({ PROVIDER_BASE_URL: wepay.url, PROVIDER_TIMEOUT_MS: '50', PROVIDER_MAX_ATTEMPTS: '2' });
    const secrets = { platformCredentials: async () => ({ ...app, ipnRouteSecret: 'ipn-secret', previousIpnRouteSecrets: [] }) };
    await expect(wepayClientFromConfig(cfg, secrets, { sleep: async () => undefined }).getCheckout(merchantToken, '1')).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(wepay.callsTo('/checkout')).toHaveLength(2);
  });

  it('does not follow a redirect, so the token never travels to another address', async () => {
    wepay.otherwise('/checkout', (_req, res) => {
      res.writeHead(301, { location: `${wepay.url}/elsewhere` });
      res.end();
    });
    await expect(client().getCheckout(merchantToken, '1')).rejects.toBeInstanceOf(ProviderError);
    expect(wepay.requests.map((r) => r.path)).toEqual(['/checkout']);
  });

  it('refuses a base URL that carries credentials or a query', () => {
    const options = { timeoutMs: 1, maxAttempts: 1, credentials: async () => app };
    expect(() => new WePayClient({ ...options, baseUrl: 'https://user:pass@wepayapi.com/v2' })).toThrow(RangeError);
    expect(() => new WePayClient({ ...options, baseUrl: 'https://wepayapi.com/v2?access_token=x' })).toThrow(RangeError);
  });
});
