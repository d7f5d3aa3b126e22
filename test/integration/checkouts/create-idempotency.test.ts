// POST /v1/checkouts on the real local runtime and sandbox: the API's idempotency,
// keyed by (sub, unique_id): 201 first; the same request replays the same status
// and body with Idempotent-Replayed: true and charges nothing; another body is
// 422; in flight is 409 with Retry-After; a decline is 402 and replays as 402;
// 50 concurrent identical requests reach the provider once.
import { checkoutIdFor, providerUniqueIdFor } from '#functions/app/checkouts.ts';
import { expectApiError, expectEveryResponseHeaders, type Reply } from '../../support/api-expectations.ts';
import { waitFor } from '../../support/wait-for.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

let h: CheckoutHarness;
let payerSub: string;

beforeAll(async () => {
  h = await startCheckoutHarness();
  payerSub = await h.subOf('payer');
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  await h.sandbox.clearFaults();
});

const checkoutKeys = [
  'id', 'unique_id', 'account_id', 'amount', 'currency', 'short_description', 'type', 'reference_id',
  'fee', 'state', 'amount_refunded', 'amount_charged_back', 'refunds', 'agent', 'provider', 'created_at', 'updated_at',
].sort();

function expectCheckoutObject(reply: Reply, uniqueId: string) {
  expect(Object.keys(reply.body).sort()).toEqual(checkoutKeys);
  expect(reply.body).toEqual({
    id: checkoutIdFor(payerSub, uniqueId),
    unique_id: uniqueId,
    account_id: h.dev.account_id,
    amount: 10_400,
    currency: 'USD',
    short_description: 'Two coffees',
    type: 'goods',
    reference_id: 'order-7f3a',
    // 2.9% of 104.00 is 3.016, + 0.30 = 3.316 → 332 cents (half-up), computed on amount.
    fee: { app_fee: 400, fee_payer: 'payee_from_app', processing_fee: 332 },
    state: 'authorized',
    amount_refunded: 0,
    amount_charged_back: 0,
    refunds: [],
    agent: null,
    provider: { name: 'wepay', checkout_id: expect.stringMatching(/^\d+$/) },
    created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
}

describe('POST /v1/checkouts idempotency', () => {
  test('creates a checkout: 201 with the checkout object of the API contract, not marked as a replay', async () => {
    const uniqueId = newUniqueId('order');
    const reply = await h.createCheckout(h.checkoutBody(uniqueId));
    expect(reply.status).toBe(201);
    expectEveryResponseHeaders(reply);
    expect(reply.headers['idempotent-replayed']).toBeUndefined();
    expectCheckoutObject(reply, uniqueId);
    // The provider holds it under the unique_id derived from (sub, unique_id).
    const ids = await h.sandbox.checkoutIdsFor(providerUniqueIdFor(payerSub, uniqueId));
    expect(ids).toEqual([reply.body.provider.checkout_id]);
    expect((await h.sandbox.checkout(reply.body.provider.checkout_id)).state).toBe('authorized');
  });

  test('replays the same request with the same status and body and Idempotent-Replayed: true, charging nothing again', async () => {
    const uniqueId = newUniqueId('replay');
    const body = h.checkoutBody(uniqueId);
    const first = await h.createCheckout(body);
    expect(first.status).toBe(201);
    // Key order is not part of a request: the same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    for (const again of [body, reordered]) {
      const replay = await h.createCheckout(again);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(first.text);
      expectEveryResponseHeaders(replay);
      expect(replay.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    }
    const calls = await h.sandbox.createCalls(providerUniqueIdFor(payerSub, uniqueId));
    expect(calls).toHaveLength(1);
  });

  test('an explicit default (type goods, fee 0/payee_from_app) is the same request as leaving it out', async () => {
    const uniqueId = newUniqueId('defaults');
    const { type: _type, fee: _fee, ...withoutDefaults } = h.checkoutBody(uniqueId);
    const first = await h.createCheckout(withoutDefaults);
    expect(first.status).toBe(201);
    const replay = await h.createCheckout({ ...withoutDefaults, type: 'goods', fee: { app_fee: 0, fee_payer: 'payee_from_app' } });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  test('refuses the same unique_id with another body: 422 idempotency_key_reused, and the provider is not called', async () => {
    const uniqueId = newUniqueId('reused');
    const first = await h.createCheckout(h.checkoutBody(uniqueId));
    expect(first.status).toBe(201);
    for (const other of [{ amount: 10_500 }, { short_description: 'Three coffees' }, { reference_id: 'order-other' }]) {
      const reply = await h.createCheckout(h.checkoutBody(uniqueId, other));
      expectApiError(reply, { status: 422, type: 'idempotency_error', code: 'idempotency_key_reused', param: 'unique_id' });
    }
    expect(await h.sandbox.createCalls(providerUniqueIdFor(payerSub, uniqueId))).toHaveLength(1);
    // The original is still replayed afterwards.
    const replay = await h.createCheckout(h.checkoutBody(uniqueId));
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
  });

  test('keys idempotency by (sub, unique_id): another payer using the same unique_id gets a checkout of their own', async () => {
    const uniqueId = newUniqueId('shared');
    const mine = await h.createCheckout(h.checkoutBody(uniqueId));
    const theirs = await h.createCheckout(h.checkoutBody(uniqueId, { amount: 2_000 }), h.dev.tokens.payer2);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.provider.checkout_id).not.toBe(mine.body.provider.checkout_id);
    expect(theirs.body.amount).toBe(2_000);
    const payer2Sub = await h.subOf('payer2');
    expect(providerUniqueIdFor(payer2Sub, uniqueId)).not.toBe(providerUniqueIdFor(payerSub, uniqueId));
  });

  test('answers 409 idempotency_key_in_use with Retry-After while the first request is in flight', async () => {
    const uniqueId = newUniqueId('inflight');
    const body = h.checkoutBody(uniqueId);
    // The provider takes 5 s to answer (under PROVIDER_TIMEOUT_MS): the first request holds the key meanwhile.
    await h.sandbox.armFault({ delay_ms: 5_000 }, 1);
    const first = h.createCheckout(body);
    // The fault is used up when the call reaches the provider: by then the first request holds the key.
    await waitFor(async () => (await h.sandbox.faults()).length === 0, 'the first request to reach the provider');
    const during = await h.createCheckout(body);
    expectApiError(during, { status: 409, type: 'idempotency_error', code: 'idempotency_key_in_use', param: 'unique_id' });
    const retryAfter = Number(during.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);

    const done = await first;
    expect(done.status).toBe(201);
    const after = await h.createCheckout(body);
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.body).toEqual(done.body);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueIdFor(payerSub, uniqueId))).toEqual([done.body.provider.checkout_id]);
  });

  test('a declined card is 402 card_declined, and its replay is the same 402 without calling the provider again', async () => {
    const uniqueId = newUniqueId('declined');
    const body = h.checkoutBody(uniqueId, {
      payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.decline, auto_capture: true } },
    });
    const first = await h.createCheckout(body);
    expectApiError(first, { status: 402, type: 'card_error', code: 'card_declined' });
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await h.createCheckout(body);
    expect(replay.status).toBe(402);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // The same body, request_id included: it names the request that was declined.
    expect(replay.text).toBe(first.text);
    // The replay is a response of its own: its X-Request-Id is this request's, with every header every response carries.
    expect(replay.headers['x-request-id']).toMatch(/^req_\S+$/);
    expect(replay.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.headers['x-content-type-options']).toBe('nosniff');
    expect(replay.headers['strict-transport-security']).toBe(first.headers['strict-transport-security']);

    const calls = await h.sandbox.createCalls(providerUniqueIdFor(payerSub, uniqueId));
    expect(calls).toHaveLength(1);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueIdFor(payerSub, uniqueId))).toEqual([]);
    // No checkout record either.
    const read = await h.call('GET', `/v1/checkouts/${checkoutIdFor(payerSub, uniqueId)}`, { token: h.dev.tokens.payer });
    expectApiError(read, { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
  });

  test('50 concurrent identical requests create one provider checkout and answer only 201s and 409s', async () => {
    const uniqueId = newUniqueId('burst');
    const body = h.checkoutBody(uniqueId);
    const replies = await Promise.all(Array.from({ length: 50 }, () => h.createCheckout(body)));

    const statuses = new Set(replies.map((r) => r.status));
    expect([...statuses].filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const created = replies.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // Exactly one request ran; any other 201 is a replay of it.
    expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    for (const reply of created) expect(reply.body).toEqual(created[0]!.body);
    for (const reply of replies.filter((r) => r.status === 409)) {
      expectApiError(reply, { status: 409, type: 'idempotency_error', code: 'idempotency_key_in_use', param: 'unique_id' });
      expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }

    // From the sandbox's own log: one call, one checkout (the throttle, 30 per 10 s, never saw the other 49).
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    const calls = await h.sandbox.createCalls(providerUniqueId);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBe(200);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([created[0]!.body.provider.checkout_id]);

    // The clients' retries converge on the stored 201.
    const retry = await h.createCheckout(body);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(created[0]!.body);
  });
});
