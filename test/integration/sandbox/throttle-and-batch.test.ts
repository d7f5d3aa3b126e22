import { app, checkoutParams, newCard, newMerchant, post, send, startHarness, type Harness } from './sandbox-harness.ts';

async function merchantWithCard(harness: Harness, name = 'Blue Bottle Cafe') {
  const merchant = await newMerchant(harness.sandbox.url, name);
  const card = await newCard(harness.sandbox.url);
  const create = () =>
    post(harness.sandbox.url, '/v2/checkout/create', checkoutParams(merchant.accountId, card), merchant.token);
  return { merchant, card, create };
}

describe('throttling of /v2/checkout/create', () => {
  let harness: Harness;
  beforeEach(async () => {
    // A long window so that the test never depends on how fast it runs.
    harness = await startHarness({ throttle: { calls: 3, window_s: 3600 } });
  });
  afterEach(() => harness.sandbox.close());

  it('answers 1007 throttle_exceeded once a merchant exceeds its calls per window', async () => {
    const { create } = await merchantWithCard(harness);
    for (let i = 0; i < 3; i++) expect((await create()).status).toBe(200);
    const over = await create();
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ error: 'throttle_exceeded', error_description: expect.any(String), error_code: 1007 });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts every merchant of the app against the app limit', async () => {
    const first = await merchantWithCard(harness, 'First Shop');
    const second = await merchantWithCard(harness, 'Second Shop');
    expect((await first.create()).status).toBe(200);
    expect((await first.create()).status).toBe(200);
    expect((await second.create()).status).toBe(200);
    expect((await second.create()).body.error_code).toBe(1007);
  });

  it('does not throttle other calls', async () => {
    const { merchant, create } = await merchantWithCard(harness);
    for (let i = 0; i < 3; i++) await create();
    for (let i = 0; i < 5; i++) {
      expect((await post(harness.sandbox.url, '/v2/account', { account_id: merchant.accountId }, merchant.token)).status).toBe(200);
    }
  });

  it('is configurable at run time, and null turns it off', async () => {
    const { create } = await merchantWithCard(harness);
    for (let i = 0; i < 3; i++) await create();
    expect((await create()).body.error_code).toBe(1007);
    const configured = await post(harness.sandbox.url, '/__sandbox/config', { throttle: null });
    expect(configured.body.throttle).toBeNull();
    for (let i = 0; i < 5; i++) expect((await create()).status).toBe(200);
    await post(harness.sandbox.url, '/__sandbox/config', { throttle: { calls: 1, window_s: 3600 } });
    expect((await create()).status).toBe(200);
    expect((await create()).body.error_code).toBe(1007);
    expect((await send(harness.sandbox.url, 'GET', '/__sandbox/config')).body.throttle).toEqual({ calls: 1, window_s: 3600 });
  });

  it('defaults to 30 calls per 10 seconds', async () => {
    const defaults = await startHarness({ throttle: undefined });
    try {
      expect((await send(defaults.sandbox.url, 'GET', '/__sandbox/config')).body.throttle).toEqual({ calls: 30, window_s: 10 });
    } finally {
      await defaults.sandbox.close();
    }
  });

  it('rejects a malformed throttle setting', async () => {
    expect((await post(harness.sandbox.url, '/__sandbox/config', { throttle: { calls: 0, window_s: 10 } })).status).toBe(400);
  });
});

describe('/v2/batch/create', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.sandbox.close());

  it('runs each call with its own authorization and returns the responses in order', async () => {
    const { merchant, card } = await merchantWithCard(harness);
    const reply = await post(harness.sandbox.url, '/v2/batch/create', {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      calls: [
        { call: '/checkout/create', authorization: merchant.token, reference_id: 'a', parameters: checkoutParams(merchant.accountId, card, { unique_id: 'batch-1' }) },
        { call: '/account', authorization: merchant.token, reference_id: 'b', parameters: { account_id: merchant.accountId } },
        { call: '/account', authorization: 'STAGE_wrong', reference_id: 'c', parameters: { account_id: merchant.accountId } },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.calls).toHaveLength(3);
    expect(reply.body.calls[0]).toMatchObject({ call: '/checkout/create', reference_id: 'a', response: { state: 'authorized', unique_id: 'batch-1' } });
    expect(reply.body.calls[1]).toMatchObject({ reference_id: 'b', response: { account_id: merchant.accountId } });
    expect(reply.body.calls[2]).toMatchObject({ reference_id: 'c', response: { error: 'access_denied', error_code: 1006 } });
    const recorded = (await send(harness.sandbox.url, 'GET', '/__sandbox/calls?path=/v2/checkout/create')).body.calls;
    expect(recorded.at(-1)).toMatchObject({ unique_id: 'batch-1', status: 200, via_batch: true });
  });

  it('accepts 50 calls and refuses 51 with 1003', async () => {
    const { merchant } = await merchantWithCard(harness);
    const calls = (n: number) =>
      Array.from({ length: n }, () => ({ call: '/account', authorization: merchant.token, parameters: { account_id: merchant.accountId } }));
    const fifty = await post(harness.sandbox.url, '/v2/batch/create', { client_id: app.clientId, client_secret: app.clientSecret, calls: calls(50) });
    expect(fifty.status).toBe(200);
    expect(fifty.body.calls).toHaveLength(50);
    const fiftyOne = await post(harness.sandbox.url, '/v2/batch/create', { client_id: app.clientId, client_secret: app.clientSecret, calls: calls(51) });
    expect(fiftyOne.status).toBe(400);
    expect(fiftyOne.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
  });

  it('requires the app client credentials', async () => {
    const reply = await post(harness.sandbox.url, '/v2/batch/create', { client_id: app.clientId, client_secret: 'nope', calls: [] });
    expect(reply.body).toMatchObject({ error: 'invalid_client' });
  });
});
