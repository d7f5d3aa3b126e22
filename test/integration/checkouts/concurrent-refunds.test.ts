// The race from issue 10: many partial refunds of one checkout at once, with
// clients retrying every 5xx and 409 with the same unique_id. The provider never
// refunds more than was answered 200, never more than the amount, and no request
// ever gets a 5xx other than 503 (whose retry settles).
import { newUniqueId } from './checkout-harness.ts';
import { moneyRuntime } from '../../support/money-runtime.ts';

const { h, m } = moneyRuntime({ IDEMPOTENCY_LOCK_SECONDS: '2' }, { clearFaultsAfterEach: false });

async function race(amount: number, refunds: number[]) {
  const checkout = await m.checkoutIn('captured', amount);
  const outcomes = await Promise.all(
    refunds.map(async (refund) => {
      const body = { unique_id: newUniqueId('race'), reason: 'Race', amount: refund };
      const { final, retried } = await m.untilSettled(() => m.act('refund', checkout.id, body), 400);
      return { refund, final, retried };
    }),
  );
  const replies = outcomes.flatMap((o) => [o.final, ...o.retried]);
  expect(replies.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
  const succeeded = outcomes.filter((o) => o.final.status === 200);
  for (const o of outcomes.filter((x) => x.final.status !== 200)) {
    // Beyond what is left: a 4xx, never a 5xx.
    expect([400, 409]).toContain(o.final.status);
  }
  const answered = succeeded.reduce((sum, o) => sum + o.refund, 0);
  const provider = await m.atProvider(checkout.provider.checkout_id);
  expect(provider.amountRefunded).toBe(answered);
  expect(provider.amountRefunded).toBeLessThanOrEqual(amount);
  expect(await m.actedCalls('/v2/checkout/refund', checkout.provider.checkout_id)).toHaveLength(succeeded.length);

  const ours = await h.as(h.dev.tokens.merchant).call('GET', `/v1/checkouts/${checkout.id}`);
  expect(ours.body.amount_refunded).toBe(provider.amountRefunded);
  expect(ours.body.state).toBe(provider.state);
  const listed = ours.body.refunds.filter((r: any) => r.state === 'succeeded').reduce((sum: number, r: any) => sum + r.amount, 0);
  expect(listed).toBe(answered);
  return { succeeded: succeeded.length, answered };
}

describe('concurrent partial refunds with client retries', () => {
  test('22 refunds of $5 on a $100 checkout: the 20 that fit are made once each, the 2 beyond the amount are refused with a 4xx', async () => {
    const result = await race(10_000, Array.from({ length: 22 }, () => 500));
    expect(result).toEqual({ succeeded: 20, answered: 10_000 });
  });
});
