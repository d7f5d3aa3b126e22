// Money invariants under generated interleavings: concurrent partial refunds of
// one checkout, provider faults armed on the refund call (which request meets
// them depends on the interleaving), and clients retrying every 409/429/5xx with
// the same unique_id. Whatever happens:
//   - the provider's refunds are exactly the refunds answered 200 (count and sum);
//   - they never add up to more than the amount;
//   - after a reconciliation pass our copy equals the provider's.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { newUniqueId } from './checkout-harness.ts';
import { moneyRuntime } from '../../support/money-runtime.ts';


// Each generated run creates a checkout and plays its interleaving over HTTP.
// Five generated interleavings, each with its settling passes: longer than the global timeout allows under load.
jest.setTimeout(900_000);

const { h, m } = moneyRuntime({ PROVIDER_TIMEOUT_MS: '800', IDEMPOTENCY_LOCK_SECONDS: '1', RECONCILE_STALE_SECONDS: '1', RECONCILE_INTERVAL_SECONDS: '86400' }, { clearFaultsAfterEach: false });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const amount = 5_000;

const faultMode = fc.constantFrom<unknown>('drop_after_commit', 'drop_before_commit', 'unknown_error', 'throttle', { delay_ms: 900 });
const scenario = fc.record({
  refunds: fc.array(fc.record({ amount: fc.integer({ min: 100, max: 2_000 }), startAfterMs: fc.integer({ min: 0, max: 40 }) }), { minLength: 2, maxLength: 6 }),
  faults: fc.array(fc.record({ mode: faultMode, times: fc.integer({ min: 1, max: 2 }) }), { maxLength: 3 }),
});

test('provider refunds equal the refunds answered 200, never exceed the amount, and our copy matches after a pass', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ refunds, faults }) => {
      const checkout = await m.checkoutIn('captured', amount);
      const providerId = checkout.provider.checkout_id;
      await h.sandbox.clearFaults();
      for (const fault of faults) await h.sandbox.armFault(fault.mode, fault.times, '/v2/checkout/refund');

      const outcomes = await Promise.all(
        refunds.map(async (refund) => {
          await sleep(refund.startAfterMs);
          const body = { unique_id: newUniqueId('prop'), reason: 'Generated', amount: refund.amount };
          const { final, retried } = await m.untilSettled(() => m.act('refund', checkout.id, body), 400, 250);
          return { refund, final, retried };
        }),
      );
      await h.sandbox.clearFaults();

      for (const reply of outcomes.flatMap((o) => [o.final, ...o.retried])) {
        expect(reply.status >= 500 && reply.status !== 503).toBe(false);
      }
      const answered = outcomes.filter((o) => o.final.status === 200);
      for (const o of outcomes) if (o.final.status !== 200) expect([400, 409]).toContain(o.final.status);
      const answeredSum = answered.reduce((sum, o) => sum + o.refund.amount, 0);

      // A delayed answer is logged when it is sent: wait for every call that took effect to show.
      const acted = await m.actedCallsSettled('/v2/checkout/refund', providerId, answered.length);
      const provider = await m.atProvider(providerId);
      expect(acted).toHaveLength(answered.length);
      expect(provider.amountRefunded).toBe(answeredSum);
      expect(provider.amountRefunded).toBeLessThanOrEqual(amount);

      // A pass (the checkout is stale after 1 s, so later passes read it) leaves our copy equal to the provider's.
      const deadline = Date.now() + 120_000; // generous: a loaded machine is slow, a healthy one returns at once
      let ours = (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${checkout.id}`)).body;
      do {
        const pass = await h.as(h.dev.tokens.ops).call('POST', '/v1/reconciliations', { body: {} });
        expect([200, 409]).toContain(pass.status);
        ours = (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${checkout.id}`)).body;
        if (ours.state === provider.state && ours.amount_refunded === provider.amountRefunded && !ours.refunds.some((r: any) => r.state === 'pending')) break;
        await sleep(250);
      } while (Date.now() < deadline);
      expect({ state: ours.state, amount_refunded: ours.amount_refunded }).toEqual({ state: provider.state, amount_refunded: provider.amountRefunded });
      const listed = ours.refunds.filter((r: any) => r.state === 'succeeded').reduce((sum: number, r: any) => sum + r.amount, 0);
      expect(listed).toBe(answeredSum);
    }),
    { numRuns: 5 },
  );
});
