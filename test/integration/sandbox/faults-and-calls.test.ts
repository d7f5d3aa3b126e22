import { waitFor } from '../../support/wait-for.ts';
import { request } from 'node:http';
import {
  checkoutParams,
  post,
  send,
  startHarnessWithMerchant,
  type Harness,
  type Merchant,
} from './sandbox-harness.ts';

let harness: Harness;
let url: string;
let merchant: Merchant;
let card: number;
let counter = 0;
const uniqueId = () => `fault-${process.pid}-${++counter}`;

beforeAll(async () => {
  ({ harness, url, merchant, card } = await startHarnessWithMerchant());
});
afterAll(() => harness.sandbox.close());
beforeEach(async () => {
  await send(url, 'DELETE', '/__sandbox/faults');
  await send(url, 'DELETE', '/__sandbox/calls');
});

const create = (id: string) => post(url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, { unique_id: id }), merchant.token);
const arm = (mode: unknown, times = 1, path = '/v2/checkout/create') => post(url, '/__sandbox/faults', { path, mode, times });
const calls = async (path = '/v2/checkout/create') =>
  (await send(url, 'GET', `/__sandbox/calls?path=${encodeURIComponent(path)}`)).body.calls as Record<string, unknown>[];

/** A raw POST that reports a dropped connection instead of throwing. */
function rawCreate(id: string): Promise<{ dropped: boolean; status?: number }> {
  const body = JSON.stringify(checkoutParams(merchant.accountId, card, { unique_id: id }));
  return new Promise((resolve) => {
    const req = request(`${url}/v2/checkout/create`, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${merchant.token}` },
    });
    req.on('response', (response) => {
      response.resume();
      resolve({ dropped: false, status: response.statusCode });
    });
    req.on('error', () => resolve({ dropped: true }));
    req.end(body);
  });
}

describe('fault injection', () => {
  it('drop_after_commit: the checkout is created, the connection closes without an answer, a retry gets the original', async () => {
    await arm('drop_after_commit');
    const id = uniqueId();
    expect(await rawCreate(id)).toEqual({ dropped: true });
    const [dropped] = await calls();
    expect(dropped).toMatchObject({ unique_id: id, status: null, fault: 'drop_after_commit' });
    const retry = await create(id);
    expect(retry.status).toBe(200);
    expect(retry.body.checkout_id).toBe(dropped?.['checkout_id']);
  });

  it('drop_before_commit: the connection closes and nothing is created', async () => {
    const before = await create(uniqueId());
    await arm('drop_before_commit');
    const id = uniqueId();
    expect(await rawCreate(id)).toEqual({ dropped: true });
    const retry = await create(id);
    expect(retry.status).toBe(200);
    expect(retry.body.checkout_id).toBe(before.body.checkout_id + 1);
    expect((await calls()).map((c) => [c['status'], c['fault']])).toEqual([
      [200, null],
      [null, 'drop_before_commit'],
      [200, null],
    ]);
  });

  it('unknown_error: 1008 with the unknown-error message, nothing is created, the unique_id stays free', async () => {
    await arm('unknown_error');
    const id = uniqueId();
    const failed = await create(id);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      error: 'processing_error',
      error_description: 'There was an unknown error - please contact for support',
      error_code: 1008,
    });
    const retry = await create(id);
    expect(retry.status).toBe(200);
    expect(retry.body.unique_id).toBe(id);
  });

  it('throttle: 1007 throttle_exceeded, and nothing is created', async () => {
    await arm('throttle');
    const id = uniqueId();
    const failed = await create(id);
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({ error: 'throttle_exceeded', error_code: 1007 });
    expect((await create(id)).status).toBe(200);
  });

  it('delay_ms: the call takes effect and its answer comes after the delay', async () => {
    await arm({ delay_ms: 300 });
    const id = uniqueId();
    const slow = create(id);
    // While the answer is held back, the checkout already exists: a repeat returns it. The fault is
    // used up once the call has arrived (it took effect as it arrived).
    await waitFor(async () => (await send(url, 'GET', '/__sandbox/faults')).body.faults.length === 0, 'the delayed call to arrive');
    const repeat = await create(id);
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(answered.body.checkout_id).toBe(repeat.body.checkout_id);
    expect((await calls()).find((c) => c['fault'] === 'delay_ms:300')).toMatchObject({ unique_id: id, status: 200 });
  });

  it('counts `times` down per matching call, then stops', async () => {
    await arm('unknown_error', 2);
    expect((await create(uniqueId())).status).toBe(500);
    expect((await create(uniqueId())).status).toBe(500);
    expect((await create(uniqueId())).status).toBe(200);
  });

  it('applies only to the path it was armed on', async () => {
    await arm('unknown_error', 1, '/v2/checkout');
    expect((await create(uniqueId())).status).toBe(200);
    const created = await create(uniqueId());
    const fetched = await post(url, '/v2/checkout', { checkout_id: created.body.checkout_id }, merchant.token);
    expect(fetched.body.error_code).toBe(1008);
  });

  it('DELETE /__sandbox/faults clears every armed fault', async () => {
    await arm('unknown_error', 5);
    await send(url, 'DELETE', '/__sandbox/faults');
    expect((await create(uniqueId())).status).toBe(200);
  });

  it('rejects an unknown mode', async () => {
    expect((await arm('explode')).status).toBe(400);
  });
});

describe('/__sandbox/calls', () => {
  it('lists every call received, oldest first, with path, unique_id, status and time, filtered by path', async () => {
    const id = uniqueId();
    await create(id);
    await post(url, '/v2/checkout', { checkout_id: 1 }, merchant.token);
    const all = (await send(url, 'GET', '/__sandbox/calls')).body.calls as Record<string, unknown>[];
    expect(all.map((c) => c['path'])).toEqual(['/v2/checkout/create', '/v2/checkout']);
    expect(all[0]).toMatchObject({ path: '/v2/checkout/create', unique_id: id, status: 200, fault: null });
    expect(new Date(String(all[0]?.['at'])).toISOString()).toBe(all[0]?.['at']);
    expect(all[1]).toMatchObject({ status: 400, error_code: 1003 });
    expect(await calls('/v2/checkout')).toHaveLength(1);
  });
});
