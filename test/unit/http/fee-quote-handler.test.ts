// POST /v1/fees/quote through its real Lambda handler: the documented figures,
// the defaults, and every validation error with the API's exact error body.
import { handler } from '#functions/handlers/fees-quote.ts';
import { resetConfig } from '#functions/config.ts';
import { expectApiError, expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { captureOutput, type CapturedOutput } from '../../support/log-capture.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';

const payer = { sub: 'user-payer-1', groups: ['payer'] };
const quote = (body: unknown, headers?: Record<string, string>) =>
  invoke(handler, proxyEvent({ method: 'POST', path: '/v1/fees/quote', body, principal: payer, ...(headers ? { headers } : {}) }));
const threePercent = { bps: 300, fixed: 0 };

let output: CapturedOutput;
beforeAll(() => {
  delete process.env.PROCESSING_FEE_BPS;
  delete process.env.PROCESSING_FEE_FIXED;
  resetConfig();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

describe('quotes', () => {
  it("answers the API's policy-mode example with its documented response", async () => {
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
    expect(reply.headers['content-type']).toBe('application/json');
    expectEveryResponseHeaders(reply);
  });

  it("answers the API's explicit-mode example", async () => {
    const reply = await quote({ currency: 'USD', amount: 10400, app_fee: 400, fee_payer: 'payee_from_app', processing_fee_rate: threePercent });
    expect(reply.body).toEqual({
      currency: 'USD',
      fee_payer: 'payee_from_app',
      amount: 10400,
      app_fee: 400,
      processing_fee: 312,
      payer_total: 10400,
      merchant_net: 10000,
      platform_net: 88,
    });
  });

  it.each([
    [0, { merchant_net: 9600, processing_fee: 300 }],
    [400, { merchant_net: 10000, processing_fee: 312 }],
    [100, { merchant_net: 9700, processing_fee: 303 }],
  ])('the use case with payer_share_bps %i gives its exact figures', async (payerShareBps, expected) => {
    const reply = await quote({ currency: 'USD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: payerShareBps }, processing_fee_rate: threePercent });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject(expected);
  });

  it('fee_payer defaults to payee_from_app', async () => {
    const reply = await quote({ currency: 'CAD', amount: 10000, app_fee: 400, processing_fee_rate: threePercent });
    expect(reply.body).toMatchObject({ currency: 'CAD', fee_payer: 'payee_from_app', merchant_net: 9600 });
  });

  it('processing_fee_rate defaults to the configured 290 bps + 30', async () => {
    const reply = await quote({ currency: 'USD', amount: 10000, app_fee: 400, fee_payer: 'payer' });
    expect(reply.body).toMatchObject({ processing_fee: 320, payer_total: 10720 });
  });

  it('accepts a Content-Type with parameters and in any header-name case', async () => {
    const reply = await invoke(
      handler,
      proxyEvent({
        method: 'POST',
        path: '/v1/fees/quote',
        body: JSON.stringify({ currency: 'USD', amount: 10000, app_fee: 0 }),
        headers: { 'CONTENT-TYPE': 'Application/JSON; charset=utf-8' },
        principal: payer,
      }),
    );
    expect(reply.status).toBe(200);
  });

  it('X-Request-Id is req_ + the API Gateway request id', async () => {
    const reply = await invoke(
      handler,
      proxyEvent({ method: 'POST', path: '/v1/fees/quote', body: { currency: 'USD', amount: 1, app_fee: 0 }, principal: payer, requestId: 'abc-123' }),
    );
    expect(reply.headers['x-request-id']).toBe('req_abc-123');
  });
});

describe('errors', () => {
  it('app_fee over 20% of amount is 400 app_fee_too_high on app_fee', async () => {
    expectApiError(await quote({ currency: 'USD', amount: 10000, app_fee: 2001 }), {
      status: 400,
      type: 'invalid_request',
      code: 'app_fee_too_high',
      param: 'app_fee',
    });
    expect((await quote({ currency: 'USD', amount: 10000, app_fee: 2000 })).status).toBe(200);
  });

  it('a policy whose app fee is over 20% of amount is 400 app_fee_too_high on policy.app_fee_bps', async () => {
    expectApiError(await quote({ currency: 'USD', price: 10000, policy: { app_fee_bps: 2001, payer_share_bps: 0 } }), {
      status: 400,
      type: 'invalid_request',
      code: 'app_fee_too_high',
      param: 'policy.app_fee_bps',
    });
  });

  it.each([
    ['a top-level field', { currency: 'USD', amount: 100, app_fee: 1, tip: 5 }, 'tip'],
    ['a nested field', { currency: 'USD', amount: 100, app_fee: 1, processing_fee_rate: { bps: 1, fixed: 0, cap: 9 } }, 'processing_fee_rate.cap'],
    ['a field of the other mode', { currency: 'USD', amount: 100, app_fee: 1, price: 100 }, 'price'],
    ['a field of policy', { currency: 'USD', price: 100, policy: { app_fee_bps: 1, payer_share_bps: 0, extra: 1 } }, 'policy.extra'],
  ])('an unknown body field (%s) is 400 unknown_parameter with its param', async (_what, body, param) => {
    expectApiError(await quote(body), { status: 400, type: 'invalid_request', code: 'unknown_parameter', param });
  });

  it.each([
    ['amount', { currency: 'USD', app_fee: 1 }],
    ['currency', { amount: 100, app_fee: 1 }],
    ['currency', {}],
    ['processing_fee_rate.fixed', { currency: 'USD', amount: 100, app_fee: 1, processing_fee_rate: { bps: 10 } }],
    ['policy.payer_share_bps', { currency: 'USD', price: 100, policy: { app_fee_bps: 1 } }],
  ])('a missing field is 400 parameter_missing on %s', async (param, body) => {
    expectApiError(await quote(body), { status: 400, type: 'invalid_request', code: 'parameter_missing', param });
  });

  it('a negative amount is 400 parameter_invalid with the documented message', async () => {
    const reply = await quote({ currency: 'USD', amount: -1, app_fee: 1 });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'amount' });
    expect(reply.body.error.message).toBe('amount must be a positive integer');
  });

  it.each([
    ['amount', { currency: 'USD', amount: 10.5, app_fee: 1 }],
    ['amount', { currency: 'USD', amount: '100', app_fee: 1 }],
    ['amount', { currency: 'USD', amount: 0, app_fee: 0 }],
    ['app_fee', { currency: 'USD', amount: 100, app_fee: -1 }],
    ['currency', { currency: 'EUR', amount: 100, app_fee: 1 }],
    ['fee_payer', { currency: 'USD', amount: 100, app_fee: 1, fee_payer: 'platform' }],
    ['processing_fee_rate.bps', { currency: 'USD', amount: 100, app_fee: 1, processing_fee_rate: { bps: 10001, fixed: 0 } }],
    ['processing_fee_rate.fixed', { currency: 'USD', amount: 100, app_fee: 1, processing_fee_rate: { bps: 10, fixed: -1 } }],
    ['price', { currency: 'USD', price: 0, policy: { app_fee_bps: 1, payer_share_bps: 0 } }],
    ['policy.payer_share_bps', { currency: 'USD', price: 100, policy: { app_fee_bps: 1, payer_share_bps: 'x' } }],
  ])('an invalid value is 400 parameter_invalid on the dotted param %s', async (param, body) => {
    expectApiError(await quote(body), { status: 400, type: 'invalid_request', code: 'parameter_invalid', param });
  });

  it('an invalid value is never echoed in the message', async () => {
    const reply = await quote({ currency: 'USD', amount: 'DROP TABLE', app_fee: 1 });
    expect(reply.text).not.toContain('DROP TABLE');
  });
});
