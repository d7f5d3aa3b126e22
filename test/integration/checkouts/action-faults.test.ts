// Provider faults on actions. A partial refund cannot be repeated blindly (WePay's
// /checkout/refund has no unique_id, and two refunds of the same amount are both
// legitimate), so when its outcome is unknown the backend looks before answering:
// the client's retry with the same unique_id must never refund twice.
import { expectApiError } from '../../support/api-expectations.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

// No test here waits for a timeout: far above any local answer, so a loaded machine changes nothing.
process.env.PROVIDER_TIMEOUT_MS = '10000';

const REFUND = '/v2/checkout/refund';
let h: CheckoutHarness;

beforeAll(async () => {
  h = await startCheckoutHarness();
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  await h.sandbox.clearFaults();
});

async function capturedCheckout(): Promise<any> {
  const created = await h.createCheckout(
    h.checkoutBody(newUniqueId('refund-fault'), {
      payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: false } },
    }),
  );
  expect(created.status).toBe(201);
  const captured = await h.as(h.dev.tokens.merchant).call('POST', `/v1/checkouts/${created.body.id}/capture`, { body: { unique_id: newUniqueId('cap') } });
  expect(captured.status).toBe(200);
  return captured.body;
}

const refund = (id: string, body: Record<string, unknown>) => h.as(h.dev.tokens.merchant).call('POST', `/v1/checkouts/${id}/refund`, { body });

describe('a partial refund whose outcome is unknown', () => {
  test('dropped after the provider refunded: the answer is the refunded checkout, and a retry with the same unique_id refunds nothing more', async () => {
    const checkout = await capturedCheckout();
    await h.sandbox.armFault('drop_after_commit', 1, REFUND);
    const body = { unique_id: newUniqueId('refund'), reason: 'One coffee spilled', amount: 4_000 };
    const first = await refund(checkout.id, body);
    const retry = await refund(checkout.id, body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ state: 'captured', amount_refunded: 4_000 });
    // At the provider: refunded once.
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).amount_refunded).toBe(40);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(retry.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  test('dropped before the provider acted: 503 provider_unavailable, nothing cached, and the retry refunds exactly once', async () => {
    const checkout = await capturedCheckout();
    await h.sandbox.armFault('drop_before_commit', 1, REFUND);
    const body = { unique_id: newUniqueId('refund'), reason: 'One coffee spilled', amount: 4_000 };
    const first = await refund(checkout.id, body);
    expectApiError(first, { status: 503, type: 'provider_error', code: 'provider_unavailable' });
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).amount_refunded).toBe(0);
    const retry = await refund(checkout.id, body);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.body).toMatchObject({ amount_refunded: 4_000 });
    expect((await h.sandbox.checkout(checkout.provider.checkout_id)).amount_refunded).toBe(40);
  });
});
