// A request whose work outlasts the function's time has an unknown outcome (a provider call or
// a recorded intent may still be under way): it answers as a lost provider answer does, 503
// provider_unavailable with Retry-After, never a bare 500.
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { routes } from '#functions/routes.ts';
import { expectApiError } from '../../support/api-expectations.ts';
import { captureOutput, type CapturedOutput } from '../../support/log-capture.ts';
import { lambdaContext, proxyEvent } from '../../support/proxy-event.ts';

let output: CapturedOutput;
let release: () => void = () => undefined;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());
// The work the timeout left behind finishes, so nothing is left pending.
afterAll(() => release());

describe('a request that runs out of the function time', () => {
  it('is 503 provider_unavailable with Retry-After while its work is still under way', async () => {
    const stillWorking = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = unauditedHttpHandler(routes, 'fees.quote', async () => {
      await stillWorking;
      return { statusCode: 200, body: {} };
    });
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/fees/quote',
      principal: { sub: 'user-payer-1', groups: ['payer'] },
      body: { currency: 'USD', amount: 10000, app_fee: 400 },
      headers: { 'Content-Type': 'application/json' },
    });
    // 50 ms left: middy answers 5 ms before the end, while the work above waits on `release`.
    const result = await handler(event, { ...lambdaContext(), getRemainingTimeInMillis: () => 50 });
    const reply = {
      status: result.statusCode,
      headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)])),
      body: JSON.parse(result.body),
      text: result.body,
    };
    expectApiError(reply, { status: 503, type: 'provider_error', code: 'provider_unavailable' });
    expect(reply.headers['retry-after']).toBe('5');
    expect(output.text()).toContain('request failed');
  });
});
