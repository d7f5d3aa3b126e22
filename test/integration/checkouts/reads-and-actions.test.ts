// GET /v1/checkouts/{id}, GET /v1/checkouts, and capture / cancel / refund on the
// real local runtime and sandbox: the API's visibility (the payer, the account's
// owner and ops; anyone else 404), listings newest first with cursors, actions
// idempotent by their unique_id, partial and full refunds, over-refunds refused.
import { randomUUID } from 'node:crypto';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';
import { waitFor } from '../../support/wait-for.ts';

let h: CheckoutHarness;
/** A merchant user who owns no account at all. */
let strangerMerchant: string;
/** A merchant user who owns another account. */
let otherMerchant: string;
let otherAccountId: string;

beforeAll(async () => {
  h = await startCheckoutHarness();
  strangerMerchant = await h.mint(`merchant-${randomUUID()}`, ['merchant']);
  otherMerchant = await h.mint(`merchant-${randomUUID()}`, ['merchant']);
  const onboarded = await h.as(otherMerchant).call('POST', '/v1/merchants', {
    body: { email: 'tea@example.com', first_name: 'Grace', last_name: 'Hopper', account: { name: 'Green Tea House', description: 'Tea' } },
  });
  expect(onboarded.status).toBe(201);
  otherAccountId = onboarded.body.id;
});
afterAll(async () => {
  await h?.close();
});

/** Orders by created_at need distinct instants: waits until the clock has moved past this checkout's. */
const clockPast = (checkout: { created_at: string }) =>
  waitFor(() => Date.now() > Date.parse(checkout.created_at), 'the clock to pass the last created_at', { intervalMs: 1 });

async function newCheckout(options: { autoCapture?: boolean; token?: string; accountId?: string; amount?: number } = {}): Promise<any> {
  const body = h.checkoutBody(newUniqueId('chk'), {
    account_id: options.accountId ?? h.dev.account_id,
    amount: options.amount ?? 10_400,
    payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: options.autoCapture ?? false } },
  });
  const reply = await h.createCheckout(body, options.token ?? h.dev.tokens.payer);
  expect(reply.status).toBe(201);
  return reply.body;
}

const act = (token: string, id: string, action: 'capture' | 'cancel' | 'refund', body: Record<string, unknown>) =>
  h.as(token).call('POST', `/v1/checkouts/${id}/${action}`, { body });

const get = (token: string, id: string) => h.as(token).call('GET', `/v1/checkouts/${id}`);

function expectNotFound(reply: Reply, param?: string) {
  expectApiError(reply, { status: 404, type: 'not_found', code: 'resource_missing', ...(param ? { param } : {}) });
}

describe('GET /v1/checkouts/{id}', () => {
  test('the payer who created it, the merchant owning its account and ops read it; the body is the checkout as created', async () => {
    const created = await newCheckout();
    for (const token of [h.dev.tokens.payer, h.dev.tokens.merchant, h.dev.tokens.ops]) {
      const reply = await get(token, created.id);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(created);
    }
  });

  test('anyone else gets 404 resource_missing, exactly as for a checkout that does not exist', async () => {
    const created = await newCheckout();
    for (const token of [h.dev.tokens.payer2, strangerMerchant, otherMerchant]) {
      const reply = await get(token, created.id);
      expectNotFound(reply, 'id');
      const missing = await get(token, 'chk_doesnotexist000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message.replace('chk_doesnotexist000000000000', created.id)).toBe(reply.body.error.message);
    }
  });
});

describe('GET /v1/checkouts', () => {
  test("a payer sees their own checkouts, newest first, page by page with next_cursor until null", async () => {
    const payer = await h.mint(`payer-${randomUUID()}`, ['payer']);
    const created: any[] = [];
    for (let i = 0; i < 5; i++) {
      created.push(await newCheckout({ token: payer, amount: 10_000 + i }));
      await clockPast(created.at(-1));
    }
    const seen: any[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page: Reply = await h.as(payer).call('GET', `/v1/checkouts${query}`);
      expect(page.status).toBe(200);
      expect(Object.keys(page.body).sort()).toEqual(['data', 'next_cursor']);
      seen.push(page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(seen.flat()).toEqual([...created].reverse());

    const all = await h.as(payer).call('GET', '/v1/checkouts');
    expect(all.body.data.map((c: any) => c.id)).toEqual([...created].reverse().map((c) => c.id));
    expect(all.body.next_cursor).toBeNull();
    // Nobody else's checkouts show up in a payer's listing.
    const theirs = await h.as(h.dev.tokens.payer2).call('GET', '/v1/checkouts?limit=100');
    expect(theirs.body.data.filter((c: any) => created.some((mine) => mine.id === c.id))).toEqual([]);
  });

  test("a payer's listing narrowed to one account keeps only that account's checkouts", async () => {
    const payer = await h.mint(`payer-${randomUUID()}`, ['payer']);
    const atDemo = await newCheckout({ token: payer });
    const atOther = await newCheckout({ token: payer, accountId: otherAccountId });
    const demoOnly = await h.as(payer).call('GET', `/v1/checkouts?account_id=${h.dev.account_id}`);
    expect(demoOnly.body.data.map((c: any) => c.id)).toEqual([atDemo.id]);
    const otherOnly = await h.as(payer).call('GET', `/v1/checkouts?account_id=${otherAccountId}`);
    expect(otherOnly.body.data.map((c: any) => c.id)).toEqual([atOther.id]);
  });

  test("a merchant sees the checkouts of accounts they own, and another merchant's account is 404", async () => {
    const atOther = [await newCheckout({ accountId: otherAccountId })];
    await clockPast(atOther[0]);
    atOther.push(await newCheckout({ accountId: otherAccountId, token: h.dev.tokens.payer2 }));
    const listed = await h.as(otherMerchant).call('GET', '/v1/checkouts?limit=100');
    expect(listed.status).toBe(200);
    // Other tests in this file also use that account: the listing is exactly what ops see at it.
    const atAccount = await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts?account_id=${otherAccountId}&limit=100`);
    expect(listed.body.data).toEqual(atAccount.body.data);
    expect(listed.body.data.every((c: any) => c.account_id === otherAccountId)).toBe(true);
    expect(listed.body.data.slice(0, 2).map((c: any) => c.id)).toEqual([atOther[1].id, atOther[0].id]);
    const byAccount = await h.as(otherMerchant).call('GET', `/v1/checkouts?account_id=${otherAccountId}&limit=100`);
    expect(byAccount.body.data).toEqual(atAccount.body.data);

    expectNotFound(await h.as(otherMerchant).call('GET', `/v1/checkouts?account_id=${h.dev.account_id}`), 'account_id');
    expectNotFound(await h.as(strangerMerchant).call('GET', `/v1/checkouts?account_id=${otherAccountId}`), 'account_id');
    const nothing = await h.as(strangerMerchant).call('GET', '/v1/checkouts');
    expect(nothing.body).toEqual({ data: [], next_cursor: null });
    const demoMerchant = await h.as(h.dev.tokens.merchant).call('GET', '/v1/checkouts?limit=100');
    expect(demoMerchant.body.data.some((c: any) => c.account_id === otherAccountId)).toBe(false);
  });

  test('ops see any checkout: all of them newest first, or one account', async () => {
    const first = await newCheckout({ accountId: otherAccountId });
    await clockPast(first);
    const second = await newCheckout({ token: h.dev.tokens.payer2 });
    const all = await h.as(h.dev.tokens.ops).call('GET', '/v1/checkouts?limit=2');
    expect(all.body.data.map((c: any) => c.id)).toEqual([second.id, first.id]);
    expect(all.body.next_cursor).toEqual(expect.any(String));
    const oneAccount = await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts?account_id=${otherAccountId}&limit=100`);
    expect(oneAccount.body.data.length).toBeGreaterThanOrEqual(1);
    expect(oneAccount.body.data[0].id).toBe(first.id);
    expect(oneAccount.body.data.every((c: any) => c.account_id === otherAccountId)).toBe(true);
  });

  test('limit outside 1–100 and a malformed cursor are 400 parameter_invalid', async () => {
    for (const limit of ['0', '101', 'ten']) {
      expectApiError(await h.as(h.dev.tokens.payer).call('GET', `/v1/checkouts?limit=${limit}`), {
        status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'limit',
      });
    }
    expectApiError(await h.as(h.dev.tokens.payer).call('GET', '/v1/checkouts?cursor=not-a-cursor'), {
      status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'cursor',
    });
  });
});

describe('capture, cancel and refund', () => {
  test('the owner merchant captures an authorized checkout; the same unique_id replays the 200 without a second capture', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    expect(checkout.state).toBe('authorized');
    const uniqueId = newUniqueId('capture');
    const captured = await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: uniqueId });
    expect(captured.status).toBe(200);
    expect(captured.body).toEqual({ ...checkout, state: 'captured', updated_at: expect.any(String) });
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('captured');

    const replay = await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: uniqueId });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(captured.text);
    const captureCalls = (await h.sandbox.calls('/v2/checkout/capture')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id);
    expect(captureCalls).toHaveLength(1);
    expect((await get(h.dev.tokens.payer, checkout.id)).body.state).toBe('captured');

    // A new unique_id asks again, and the state no longer allows it.
    expectApiError(await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: newUniqueId('capture') }), {
      status: 409, type: 'invalid_request', code: 'invalid_state',
    });
    // An action's unique_id is bound to its checkout: the same key on another checkout is another request.
    const other = await newCheckout({ autoCapture: false });
    expectApiError(await act(h.dev.tokens.merchant, other.id, 'capture', { unique_id: uniqueId }), {
      status: 422, type: 'idempotency_error', code: 'idempotency_key_reused', param: 'unique_id',
    });
  });

  test('ops may act on any checkout', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    const captured = await act(h.dev.tokens.ops, checkout.id, 'capture', { unique_id: newUniqueId('ops-capture') });
    expect(captured.status).toBe(200);
    expect(captured.body.state).toBe('captured');
  });

  test('cancel moves an authorized checkout to cancelled; capture then is 409 invalid_state', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    const cancelled = await act(h.dev.tokens.merchant, checkout.id, 'cancel', { unique_id: newUniqueId('cancel'), reason: 'Out of stock' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('cancelled');
    expectApiError(await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: newUniqueId('capture') }), {
      status: 409, type: 'invalid_request', code: 'invalid_state',
    });
  });

  test('partial refunds add up, an over-refund is refused without calling the provider, and a full refund ends refunded', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    expect((await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: newUniqueId('cap') })).status).toBe(200);
    const refundCalls = async () =>
      (await h.sandbox.calls('/v2/checkout/refund')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id);

    const firstKey = newUniqueId('refund');
    const first = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: firstKey, reason: 'One coffee spilled', amount: 4_000 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'captured', amount_refunded: 4_000 });
    // Replaying a partial refund never refunds twice.
    const replay = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: firstKey, reason: 'One coffee spilled', amount: 4_000 });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await refundCalls()).toHaveLength(1);

    const second = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'Another', amount: 4_000 });
    expect(second.body).toMatchObject({ state: 'captured', amount_refunded: 8_000 });

    const over = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'Too much', amount: 2_401 });
    expectApiError(over, { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'amount' });
    expect(await refundCalls()).toHaveLength(2);
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).amount_refunded).toBe(80);

    const rest = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'All of it' });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ state: 'refunded', amount_refunded: 10_400 });
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('refunded');
    expectApiError(await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'Again', amount: 1 }), {
      status: 409, type: 'invalid_request', code: 'invalid_state',
    });
  });

  test('a full refund of a captured checkout in one call', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    await act(h.dev.tokens.merchant, checkout.id, 'capture', { unique_id: newUniqueId('cap') });
    const refunded = await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'Order cancelled' });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ state: 'refunded', amount_refunded: 10_400 });
  });

  test('refunding an authorized checkout the provider also holds as authorized is 409 invalid_state', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    expectApiError(await act(h.dev.tokens.merchant, checkout.id, 'refund', { unique_id: newUniqueId('refund'), reason: 'Too early' }), {
      status: 409, type: 'invalid_request', code: 'invalid_state',
    });
    expect((await get(h.dev.tokens.merchant, checkout.id)).body.state).toBe('authorized');
  });
});

describe('authorization matrix', () => {
  const actions = [
    ['capture', { reason: undefined }],
    ['cancel', { reason: 'No' }],
    ['refund', { reason: 'No', amount: 100 }],
  ] as const;

  test('a merchant who owns no account, and one who owns another account, get 404 on reads and on every action, and nothing changes', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    for (const token of [strangerMerchant, otherMerchant]) {
      expectNotFound(await get(token, checkout.id), 'id');
      for (const [action, extra] of actions) {
        const body = { unique_id: newUniqueId(action), ...(extra.reason ? extra : {}) };
        expectNotFound(await act(token, checkout.id, action, body), 'id');
      }
    }
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('authorized');
    expect((await get(h.dev.tokens.ops, checkout.id)).body.state).toBe('authorized');
  });

  test('a second payer gets 404 on every action, as for a checkout that does not exist, and nothing changes', async () => {
    const checkout = await newCheckout({ autoCapture: false });
    for (const [action, extra] of actions) {
      const body = { unique_id: newUniqueId(action), ...(extra.reason ? extra : {}) };
      expectNotFound(await act(h.dev.tokens.payer2, checkout.id, action, body), 'id');
      expectNotFound(await act(h.dev.tokens.payer2, 'chk_doesnotexist000000000000', action, body), 'id');
    }
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('authorized');
  });

  test("the checkout's own payer, who may read it, gets 403 permission_denied on every action, and nothing changes", async () => {
    const checkout = await newCheckout({ autoCapture: false });
    expect((await get(h.dev.tokens.payer, checkout.id)).status).toBe(200);
    for (const [action, extra] of actions) {
      const body = { unique_id: newUniqueId(action), ...(extra.reason ? extra : {}) };
      expectApiError(await act(h.dev.tokens.payer, checkout.id, action, body), { status: 403, type: 'permission_error', code: 'permission_denied' });
    }
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).state).toBe('authorized');
  });

  test('payer2 reads neither the checkout nor it in listings', async () => {
    const checkout = await newCheckout();
    expectNotFound(await get(h.dev.tokens.payer2, checkout.id), 'id');
    const listed = await h.as(h.dev.tokens.payer2).call('GET', `/v1/checkouts?account_id=${h.dev.account_id}&limit=100`);
    expect(listed.body.data.some((c: any) => c.id === checkout.id)).toBe(false);
  });
});
