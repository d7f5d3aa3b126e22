// When our stored state is behind the provider's (no IPN reached us: the sandbox
// is told to move a checkout behind our back), an action asks the provider rather
// than refusing on stale data; and an older read never moves a checkout backwards.
import { expectApiError } from '../../support/api-expectations.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

let h: CheckoutHarness;

beforeAll(async () => {
  // These checkouts carry no callback URI: no IPN ever reaches us, so our copy stays behind
  // the provider until an action asks, and no IPN's fetch can mix into the fetch counts below.
  h = await startCheckoutHarness({ ipnCallbacks: false });
});
afterAll(async () => {
  await h?.close();
});

async function newCheckout(autoCapture: boolean): Promise<any> {
  const reply = await h.createCheckout(
    h.checkoutBody(newUniqueId('stale'), {
      payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: autoCapture } },
    }),
  );
  expect(reply.status).toBe(201);
  expect(reply.body.state).toBe('authorized');
  expect((await h.sandbox.checkout(reply.body.provider.checkout_id)).callback_uri).toBeFalsy();
  return reply.body;
}

const act = (id: string, action: 'capture' | 'cancel' | 'refund', body: Record<string, unknown>) =>
  h.as(h.dev.tokens.merchant).call('POST', `/v1/checkouts/${id}/${action}`, { body: { unique_id: newUniqueId(action), ...body } });

const storedState = async (id: string) => (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${id}`)).body;

describe('actions on a stored state behind the provider', () => {
  test.each([
    ['auto_capture false', false],
    ['auto_capture true', true],
  ])('(%s) a refund of a checkout stored authorized but captured at the provider asks the provider and succeeds', async (_label, autoCapture) => {
    const checkout = await newCheckout(autoCapture);
    await h.sandbox.setState(checkout.provider.checkout_id, 'captured');
    expect((await storedState(checkout.id)).state).toBe('authorized');

    const refunded = await act(checkout.id, 'refund', { reason: 'Customer asked', amount: 2_000 });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ state: 'captured', amount_refunded: 2_000 });
    expect((await storedState(checkout.id))).toMatchObject({ state: 'captured', amount_refunded: 2_000 });
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).amount_refunded).toBe(20);
  });

  test('a full refund of a checkout stored authorized but released at the provider succeeds', async () => {
    const checkout = await newCheckout(false);
    await h.sandbox.setState(checkout.provider.checkout_id, 'captured');
    await h.sandbox.setState(checkout.provider.checkout_id, 'released');
    const refunded = await act(checkout.id, 'refund', { reason: 'Returned' });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ state: 'refunded', amount_refunded: 10_400 });
  });

  test('capture of a checkout stored authorized but already captured at the provider: 409 invalid_state, and our copy becomes captured', async () => {
    const checkout = await newCheckout(false);
    await h.sandbox.setState(checkout.provider.checkout_id, 'captured');
    const reply = await act(checkout.id, 'capture', {});
    expectApiError(reply, { status: 409, type: 'invalid_request', code: 'invalid_state' });
    expect((await storedState(checkout.id)).state).toBe('captured');
    // It learnt that from a fetch (/v2/checkout) after the provider's refusal.
    const fetches = (await h.sandbox.calls('/v2/checkout')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id);
    expect(fetches.length).toBeGreaterThanOrEqual(1);
    // Refreshed, the refund now needs no second look.
    expect((await act(checkout.id, 'refund', { reason: 'Changed mind' })).body.state).toBe('refunded');
  });

  test('cancel of a checkout stored authorized but cancelled at the provider: 409 invalid_state, and our copy becomes cancelled', async () => {
    const checkout = await newCheckout(false);
    await h.sandbox.setState(checkout.provider.checkout_id, 'cancelled');
    expectApiError(await act(checkout.id, 'cancel', { reason: 'Twice' }), { status: 409, type: 'invalid_request', code: 'invalid_state' });
    expect((await storedState(checkout.id)).state).toBe('cancelled');
  });

  test('an older read never moves a checkout backwards: stored captured, the provider read says authorized, the state stays captured', async () => {
    const checkout = await newCheckout(false);
    expect((await act(checkout.id, 'capture', {})).body.state).toBe('captured');
    // The sandbox is told an earlier state, as a stale replica or a reordered read would answer.
    await h.sandbox.setState(checkout.provider.checkout_id, 'authorized');
    // Stored captured allows a refund; the provider refuses it (4004); the refresh reads `authorized`.
    expectApiError(await act(checkout.id, 'refund', { reason: 'Stale read' }), { status: 409, type: 'invalid_request', code: 'invalid_state' });
    const stored = await storedState(checkout.id);
    expect(stored).toMatchObject({ state: 'captured', amount_refunded: 0 });
  });

  test('a final state is refused at once, without asking the provider', async () => {
    const checkout = await newCheckout(false);
    expect((await act(checkout.id, 'cancel', { reason: 'Out of stock' })).body.state).toBe('cancelled');
    const fetchesBefore = (await h.sandbox.calls('/v2/checkout')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id).length;
    expectApiError(await act(checkout.id, 'capture', {}), { status: 409, type: 'invalid_request', code: 'invalid_state' });
    const fetchesAfter = (await h.sandbox.calls('/v2/checkout')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id).length;
    expect(fetchesAfter).toBe(fetchesBefore);
    expect((await h.sandbox.calls('/v2/checkout/capture')).filter((c) => String(c.checkout_id) === checkout.provider.checkout_id)).toEqual([]);
  });
});
