// Money moves exactly once (the API contract, checkout actions): for each action and each
// provider fault, the client's retries with the same unique_id end with the
// provider having acted exactly once, and the 200 says what it did. Intents are
// leased for IDEMPOTENCY_LOCK_SECONDS (1 s here), after which an intent whose call
// left no trace at the provider is settled as never done and the retry acts.
import { expectApiError } from '../../support/api-expectations.ts';
import { waitFor } from '../../support/wait-for.ts';
import { newUniqueId } from './checkout-harness.ts';
import { providerPath, type Action } from './money-harness.ts';
import { moneyRuntime } from '../../support/money-runtime.ts';

const { h, m } = moneyRuntime({ PROVIDER_TIMEOUT_MS: '800', IDEMPOTENCY_LOCK_SECONDS: '1' });

const faults = ['drop_after_commit', 'drop_before_commit', 'unknown_error', 'throttle', { delay_ms: 1_500 }] as const;
const cases = (['capture', 'cancel', 'refund'] as const).flatMap((action) => faults.map((fault) => [action, fault] as const));

function bodyFor(action: Action): Record<string, unknown> {
  if (action === 'capture') return { unique_id: newUniqueId(action) };
  if (action === 'cancel') return { unique_id: newUniqueId(action), reason: 'Out of stock' };
  return { unique_id: newUniqueId(action), reason: 'One coffee spilled', amount: 4_000 };
}

describe('a fault at the provider, then retries with the same unique_id', () => {
  test.each(cases)('%s with %j: the provider acts exactly once and the 200 matches it', async (action, fault) => {
    const checkout = await m.checkoutIn(action === 'refund' ? 'captured' : 'authorized');
    const providerId = checkout.provider.checkout_id;
    await h.sandbox.armFault(fault, 1, providerPath[action]);
    const body = bodyFor(action);

    const { final, retried } = await m.untilSettled(() => m.act(action, checkout.id, body));
    expect(final.status).toBe(200);
    for (const reply of retried) expect([409, 429, 503]).toContain(reply.status);

    expect(await m.actedCallsSettled(providerPath[action], providerId)).toHaveLength(1);
    const provider = await m.atProvider(providerId);
    const expectedState = { capture: 'captured', cancel: 'cancelled', refund: 'captured' }[action];
    expect(provider.state).toBe(expectedState);
    expect(final.body).toMatchObject({ state: expectedState, amount_refunded: provider.amountRefunded });
    if (action === 'refund') {
      expect(provider.amountRefunded).toBe(4_000);
      expect(final.body.refunds).toEqual([
        { id: expect.stringMatching(/^rfd_/), amount: 4_000, reason: 'One coffee spilled', state: 'succeeded', created_at: expect.any(String) },
      ]);
    } else {
      expect(final.body.refunds).toEqual([]);
    }

    // Later replays answer the same, and still nothing more happens at the provider.
    const replay = await m.act(action, checkout.id, body);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(final.body);
    expect(await m.actedCalls(providerPath[action], providerId)).toHaveLength(1);
  });
});

describe('a partial refund whose outcome is unknown', () => {
  test('dropped before the provider acted: 503 provider_unavailable with the refund pending, then the retry refunds exactly once', async () => {
    const checkout = await m.checkoutIn('captured');
    await h.sandbox.armFault('drop_before_commit', 1, providerPath.refund);
    const body = { unique_id: newUniqueId('refund'), reason: 'Spilled', amount: 1_000 };
    const first = await m.act('refund', checkout.id, body);
    expectApiError(first, { status: 503, type: 'provider_error', code: 'provider_unavailable' });
    expect(Number(first.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const pending = await h.as(h.dev.tokens.merchant).call('GET', `/v1/checkouts/${checkout.id}`);
    expect(pending.body.refunds).toEqual([expect.objectContaining({ amount: 1_000, state: 'pending' })]);

    const { final } = await m.untilSettled(() => m.act('refund', checkout.id, body));
    expect(final.status).toBe(200);
    expect(final.body.refunds).toEqual([expect.objectContaining({ amount: 1_000, state: 'succeeded' })]);
    expect((await m.atProvider(checkout.provider.checkout_id)).amountRefunded).toBe(1_000);
  });

  test('another body with the unique_id of a refund left unknown is 422: the key stays bound to its request', async () => {
    const checkout = await m.checkoutIn('captured');
    await h.sandbox.armFault('drop_before_commit', 1, providerPath.refund);
    const body = { unique_id: newUniqueId('refund'), reason: 'Spilled', amount: 1_000 };
    expect((await m.act('refund', checkout.id, body)).status).toBe(503);
    const other = await m.act('refund', checkout.id, { ...body, amount: 2_000 });
    expectApiError(other, { status: 422, type: 'idempotency_error', code: 'idempotency_key_reused', param: 'unique_id' });
    expect((await m.untilSettled(() => m.act('refund', checkout.id, body))).final.status).toBe(200);
  });

  test('another action waits while a refund is in flight: 409 checkout_busy with Retry-After', async () => {
    const checkout = await m.checkoutIn('captured');
    // Every attempt of the slow refund outlives the client's timeout: its outcome stays unknown, its intent pending.
    await h.sandbox.armFault({ delay_ms: 20_000 }, 3, providerPath.refund);
    const slowBody = { unique_id: newUniqueId('slow'), reason: 'Slow', amount: 1_000 };
    const slow = m.act('refund', checkout.id, slowBody);
    await waitFor(async () => {
      const read = await h.as(h.dev.tokens.merchant).call('GET', `/v1/checkouts/${checkout.id}`);
      return read.body?.refunds?.some((r: { state: string }) => r.state === 'pending');
    }, 'the slow refund to record its intent');
    const busy = await m.act('refund', checkout.id, { unique_id: newUniqueId('other'), reason: 'Other', amount: 500 });
    expectApiError(busy, { status: 409, type: 'invalid_request', code: 'checkout_busy' });
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect([200, 503]).toContain((await slow).status);
    // Its retry settles what the provider did (the delayed calls took effect once): one refund of 1,000.
    await h.sandbox.clearFaults();
    const settled = await m.act('refund', checkout.id, slowBody);
    expect(settled.status).toBe(200);
    expect(settled.body.refunds.map((r: { amount: number; state: string }) => [r.amount, r.state])).toEqual([[1_000, 'succeeded']]);
    expect(settled.body.amount_refunded).toBe(1_000);
  });

  test('a refund without amount refunds what is left, and an over-refund is a 4xx', async () => {
    const checkout = await m.checkoutIn('captured');
    expect((await m.act('refund', checkout.id, { unique_id: newUniqueId('part'), reason: 'Part', amount: 400 })).status).toBe(200);
    const over = await m.act('refund', checkout.id, { unique_id: newUniqueId('over'), reason: 'Over', amount: 10_001 });
    expectApiError(over, { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'amount' });
    const rest = await m.act('refund', checkout.id, { unique_id: newUniqueId('rest'), reason: 'Rest' });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ state: 'refunded', amount_refunded: 10_400 });
    expect(rest.body.refunds.map((r: any) => [r.amount, r.state])).toEqual([[400, 'succeeded'], [10_000, 'succeeded']]);
    const again = await m.act('refund', checkout.id, { unique_id: newUniqueId('again'), reason: 'Again' });
    expectApiError(again, { status: 409, type: 'invalid_request', code: 'invalid_state' });
  });
});
