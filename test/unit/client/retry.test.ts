// The client's retries, against a scripted fetch and an injected clock: which
// answers are retried, with the same request, how long it waits, and where it stops.
import { createPaymentsClient, isApiError, PaymentsApiError, PaymentsNetworkError, type RetryPolicy } from '../../../client/index.ts';
import { retryAfterSeconds } from '../../../client/errors.ts';

type Step = { status: number; body?: unknown; headers?: Record<string, string> } | 'network_error';

function scripted(steps: Step[]) {
  const seen: { method: string; path: string; body: string; authorization: string | null }[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push({ method: request.method, path: new URL(request.url).pathname, body: await request.text(), authorization: request.headers.get('Authorization') });
    const step = steps.shift() ?? { status: 500, body: { error: { type: 'api_error', code: 'internal_error', message: 'script ran out', request_id: 'req_x' } } };
    if (step === 'network_error') throw new TypeError('fetch failed');
    return new Response(step.body === undefined ? null : JSON.stringify(step.body), {
      status: step.status,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req_1', ...step.headers },
    });
  };
  return { fetch, seen };
}

/** A clock that only moves when the client sleeps. */
function virtualTime(overrides: Partial<RetryPolicy> = {}) {
  let now = 0;
  const waits: number[] = [];
  const retry: Partial<RetryPolicy> = {
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    ...overrides,
  };
  return { retry, waits };
}

const error = (status: number, type: string, code: string, headers: Record<string, string> = {}): Step => ({
  status,
  body: { error: { type, code, message: code, request_id: 'req_e', ...(code === 'parameter_invalid' ? { param: 'amount' } : {}) } },
  headers,
});
const checkout = { id: 'chk_1', unique_id: 'order-1', state: 'authorized' };
const body = {
  unique_id: 'order-1',
  account_id: 'acc_1',
  amount: 1000,
  currency: 'USD' as const,
  short_description: 'Two coffees',
  type: 'goods' as const,
  fee: { app_fee: 0, fee_payer: 'payee_from_app' as const },
  payment_method: { type: 'credit_card' as const, credit_card: { id: '123', auto_capture: true } },
};

test.each([
  ['a network error', 'network_error' as Step],
  ['409 idempotency_key_in_use', error(409, 'idempotency_error', 'idempotency_key_in_use', { 'Retry-After': '1' })],
  ['429 rate_limited', error(429, 'rate_limit_error', 'rate_limited', { 'Retry-After': '2' })],
  ['503 provider_unavailable', error(503, 'provider_error', 'provider_unavailable', { 'Retry-After': '1' })],
])('retries a checkout creation after %s with the same body, and so the same unique_id', async (_name, first) => {
  const { fetch, seen } = scripted([first, { status: 201, body: checkout }]);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', token: 'jwt', fetch, retry: virtualTime().retry });
  await expect(client.createCheckout(body)).resolves.toEqual(checkout);
  expect(seen).toHaveLength(2);
  expect(seen[1]).toEqual(seen[0]);
  expect(JSON.parse(seen[0]!.body).unique_id).toBe('order-1');
  expect(seen[0]!.authorization).toBe('Bearer jwt');
});

test('retries a refund answered 409 checkout_busy', async () => {
  const { fetch, seen } = scripted([error(409, 'invalid_request', 'checkout_busy', { 'Retry-After': '1' }), { status: 200, body: checkout }]);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime().retry });
  await client.refundCheckout('chk_1', { unique_id: 'refund-1', reason: 'cold' });
  expect(seen.map((s) => s.path)).toEqual(['/v1/checkouts/chk_1/refund', '/v1/checkouts/chk_1/refund']);
});

test('waits what Retry-After says, in seconds', async () => {
  const { fetch } = scripted([error(429, 'rate_limit_error', 'rate_limited', { 'Retry-After': '7' }), { status: 201, body: checkout }]);
  const { retry, waits } = virtualTime();
  await createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry }).createCheckout(body);
  expect(waits).toEqual([7000]);
});

test('backs off exponentially when no Retry-After is given', async () => {
  const { fetch } = scripted(['network_error', 'network_error', 'network_error', { status: 200, body: checkout }]);
  const { retry, waits } = virtualTime({ baseDelayMs: 100, random: () => 1 });
  await createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry }).getCheckout('chk_1');
  expect(waits).toEqual([100, 200, 400]);
});

test.each([
  ['400 parameter_invalid', error(400, 'invalid_request', 'parameter_invalid')],
  ['402 card_declined', error(402, 'card_error', 'card_declined')],
  ['409 invalid_state', error(409, 'invalid_request', 'invalid_state')],
  ['422 idempotency_key_reused', error(422, 'idempotency_error', 'idempotency_key_reused')],
  ['502 provider_error', error(502, 'provider_error', 'provider_error')],
  ['500 internal_error', error(500, 'api_error', 'internal_error')],
])('does not retry %s, and throws it as a typed error', async (_name, answer) => {
  const { fetch, seen } = scripted([answer, { status: 201, body: checkout }]);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime().retry });
  const thrown = await client.createCheckout(body).catch((e: unknown) => e);
  expect(seen).toHaveLength(1);
  expect(thrown).toBeInstanceOf(PaymentsApiError);
  const typed = thrown as PaymentsApiError;
  const sent = (answer as { status: number; body: { error: Record<string, string> } }).body.error;
  expect({ status: typed.status, type: typed.type, code: typed.code, request_id: typed.request_id }).toEqual({
    status: (answer as { status: number }).status,
    type: sent.type,
    code: sent.code,
    request_id: 'req_e',
  });
  if (sent.code === 'parameter_invalid') expect(typed.param).toBe('amount');
});

test('a POST without unique_id is not retried after a network error or a 503, only after a 429', async () => {
  const merchant = { email: 'a@example.com', first_name: 'Ada', last_name: 'Lovelace', account: { name: 'Blue Bottle Cafe', description: 'Coffee' } };
  for (const first of ['network_error', error(503, 'provider_error', 'provider_unavailable', { 'Retry-After': '1' })] as Step[]) {
    const { fetch, seen } = scripted([first, { status: 201, body: {} }]);
    await expect(createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime().retry }).createMerchant(merchant)).rejects.toThrow();
    expect(seen).toHaveLength(1);
  }
  const { fetch, seen } = scripted([error(429, 'rate_limit_error', 'rate_limited', { 'Retry-After': '1' }), { status: 201, body: { id: 'acc_1' } }]);
  await expect(createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime().retry }).createMerchant(merchant)).resolves.toEqual({ id: 'acc_1' });
  expect(seen).toHaveLength(2);
});

test('stops after maxAttempts and surfaces the last answer', async () => {
  const busy = () => error(409, 'idempotency_error', 'idempotency_key_in_use', { 'Retry-After': '1' });
  const { fetch, seen } = scripted([busy(), busy(), busy(), busy()]);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime({ maxAttempts: 3 }).retry });
  const thrown = await client.createCheckout(body).catch((e: unknown) => e);
  expect(seen).toHaveLength(3);
  expect(isApiError(thrown, 'idempotency_key_in_use')).toBe(true);
  expect((thrown as PaymentsApiError).retryAfter).toBe(1);
});

test('stops when Retry-After would exceed the waiting budget', async () => {
  const { fetch, seen } = scripted([error(503, 'provider_error', 'provider_unavailable', { 'Retry-After': '120' }), { status: 201, body: checkout }]);
  const { retry, waits } = virtualTime({ maxWaitMs: 30_000 });
  const thrown = await createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry }).createCheckout(body).catch((e: unknown) => e);
  expect(seen).toHaveLength(1);
  expect(waits).toEqual([]);
  expect(isApiError(thrown, 'provider_unavailable')).toBe(true);
});

test('network errors past the budget become a PaymentsNetworkError', async () => {
  const { fetch, seen } = scripted(['network_error', 'network_error']);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime({ maxAttempts: 2 }).retry });
  const thrown = await client.getCheckout('chk_1').catch((e: unknown) => e);
  expect(seen).toHaveLength(2);
  expect(thrown).toBeInstanceOf(PaymentsNetworkError);
  expect((thrown as PaymentsNetworkError).code).toBe('network_error');
});

test('a prepared checkout keeps its unique_id across submits, and a submit in flight is joined', async () => {
  const { fetch, seen } = scripted(['network_error', 'network_error', { status: 201, body: checkout }, { status: 201, body: checkout, headers: { 'Idempotent-Replayed': 'true' } }]);
  const client = createPaymentsClient({ baseUrl: 'http://api.test', fetch, retry: virtualTime({ maxAttempts: 1 }).retry });
  const { unique_id: _omitted, ...withoutKey } = body;
  const prepared = client.prepareCheckout(withoutKey);
  expect(prepared.uniqueId).toMatch(/^order-[0-9a-f-]{36}$/);
  await expect(prepared.submit()).rejects.toBeInstanceOf(PaymentsNetworkError);
  const [first, second] = [prepared.submit(), prepared.submit()];
  expect(second).toBe(first);
  await expect(first).rejects.toBeInstanceOf(PaymentsNetworkError);
  await expect(prepared.submit()).resolves.toMatchObject({ value: checkout, replayed: false });
  await expect(prepared.submit()).resolves.toMatchObject({ replayed: true });
  expect(new Set(seen.map((s) => JSON.parse(s.body).unique_id))).toEqual(new Set([prepared.uniqueId]));
});

test('reads Retry-After as seconds or as an HTTP date', () => {
  expect(retryAfterSeconds('3')).toBe(3);
  expect(retryAfterSeconds(new Date(10_000).toUTCString(), () => 4_000)).toBe(6);
  expect(retryAfterSeconds(null)).toBeUndefined();
  expect(retryAfterSeconds('soon')).toBeUndefined();
});
