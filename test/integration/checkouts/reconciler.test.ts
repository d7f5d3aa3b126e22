// The reconciler against the real runtime and sandbox: a lost IPN (the sandbox
// sends none) is caught up by a pass; actions and creations left unknown are
// settled; passes do not overlap; only ops may ask for one. Each change a pass
// makes to a checkout leaves one audit record as system:reconciler, and no other.
import { jest } from '@jest/globals';
import { checkoutIdFor, createCheckout, providerUniqueIdFor } from '#functions/app/checkouts.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { createCheckoutInputFrom, createCheckoutRequest } from '#functions/http/schemas/checkouts.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { reconciliationLease } from '#functions/wiring/storage.ts';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { expectNoSecrets, knownSecretsOf } from '../../support/secret-scan.ts';
import { newUniqueId } from './checkout-harness.ts';
import { moneyRuntime } from '../../support/money-runtime.ts';

// RECONCILE_INTERVAL_SECONDS: the scheduled pass stays out of the way; these tests ask for their passes.
const { h, m } = moneyRuntime({ PROVIDER_TIMEOUT_MS: '800', IDEMPOTENCY_LOCK_SECONDS: '1', RECONCILE_STALE_SECONDS: '1', RECONCILE_INTERVAL_SECONDS: '86400' });
afterEach(async () => {
  await h.sandbox.config({ ipn: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const reconcile = () => h.as(h.dev.tokens.ops).call('POST', '/v1/reconciliations', { body: {} });
const read = async (id: string) => (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${id}`)).body;

/** The reconciler's audit records of one checkout (written before its pass answers). */
async function reconcilerRecords(checkoutId: string): Promise<Record<string, unknown>[]> {
  const reply = await h.as(h.dev.tokens.ops).call('GET', `/v1/audit_events?actor=system:reconciler&resource_id=${checkoutId}&limit=100`);
  expect(reply.status).toBe(200);
  expect(reply.body.next_cursor).toBeNull();
  expectNoSecrets(JSON.stringify(reply.body), await knownSecretsOf(h.dataDir), 'the reconciler\'s audit records');
  return reply.body.data;
}

/** The API's record of a change without a request, made by the reconciler to this checkout. */
const reconcilerRecord = (checkoutId: string) => ({
  id: expect.stringMatching(/^aud_/),
  at: expect.any(String),
  action: 'checkouts.update',
  actor: { sub: 'system:reconciler', roles: [], mandate_id: null, ip: null, user_agent: null },
  resource: { type: 'checkout', id: checkoutId },
  request_id: null,
  status: null,
});

/**
 * Stops IPNs and waits until those already sent for this checkout were processed
 * (each one is a read of it), so that only a pass can bring news of it.
 */
async function withoutIpns(providerCheckoutId: string): Promise<void> {
  await h.sandbox.config({ ipn: false });
  const deadline = Date.now() + 120_000; // generous: a loaded machine is slow, a healthy one returns at once
  while (Date.now() < deadline) {
    const { ipns, pending } = await h.sandbox.request('GET', `/__sandbox/ipns?checkout_id=${providerCheckoutId}`);
    const reads = (await h.sandbox.calls('/v2/checkout')).filter((c) => String(c.checkout_id) === String(providerCheckoutId));
    const delivered = ipns.filter((d: any) => d.status === 200).length;
    if (!pending.some((p: any) => String(p.checkout_id) === String(providerCheckoutId)) && reads.length >= delivered) return;
    await sleep(50);
  }
  throw new Error('IPNs still under way');
}

/** Passes until `done` holds (a checkout becomes stale after 1 s); returns the reports. */
async function reconcileUntil(done: () => Promise<boolean>): Promise<Reply[]> {
  const reports: Reply[] = [];
  const deadline = Date.now() + 120_000; // generous: a loaded machine is slow, a healthy one returns at once
  while (Date.now() < deadline) {
    const reply = await reconcile();
    reports.push(reply);
    if (reply.status === 200 && (await done())) return reports;
    await sleep(300);
  }
  throw new Error('the reconciler never caught up');
}

test('a lost IPN: a pass re-reads the stale checkout and records its state and amounts', async () => {
  const checkout = await m.checkoutIn('captured');
  await withoutIpns(checkout.provider.checkout_id);
  await h.sandbox.request('POST', `/__sandbox/checkouts/${checkout.provider.checkout_id}/state`, { amount_refunded: 300 });
  await h.sandbox.request('POST', `/__sandbox/checkouts/${checkout.provider.checkout_id}/state`, { amount_charged_back: 200 });
  expect((await read(checkout.id)).amount_refunded).toBe(0);

  const reports = await reconcileUntil(async () => (await read(checkout.id)).amount_charged_back === 200);
  const last = reports[reports.length - 1]!;
  expect(last.body).toEqual({
    checked: expect.any(Number),
    updated: expect.any(Number),
    settled: expect.any(Number),
    unresolved: 0,
    started_at: expect.any(String),
    finished_at: expect.any(String),
  });
  expect(reports.some((r) => r.body.updated >= 1)).toBe(true);
  const ours = await read(checkout.id);
  expect(ours).toMatchObject({ state: 'captured', amount_refunded: 300, amount_charged_back: 200, refunds: [] });
  expect(await reconcilerRecords(checkout.id)).toEqual([reconcilerRecord(checkout.id)]);
});

test('a refund whose answer and read were lost: the pass settles it as made, from the provider', async () => {
  const checkout = await m.checkoutIn('captured');
  await withoutIpns(checkout.provider.checkout_id);
  await h.sandbox.armFault('drop_after_commit', 1, '/v2/checkout/refund');
  // The refund's own read before its intent goes through; every read after the lost answer is lost too.
  await h.sandbox.armFault({ delay_ms: 0 }, 1, '/v2/checkout');
  await h.sandbox.armFault('drop_before_commit', 3, '/v2/checkout');
  const body = { unique_id: newUniqueId('lost'), reason: 'Lost', amount: 700 };
  expect((await m.act('refund', checkout.id, body)).status).toBe(503);
  await h.sandbox.clearFaults();
  expect((await read(checkout.id)).refunds).toEqual([expect.objectContaining({ state: 'pending', amount: 700 })]);

  const reports = await reconcileUntil(async () => (await read(checkout.id)).refunds[0].state !== 'pending');
  expect(reports.some((r) => r.body.settled >= 1)).toBe(true);
  expect(await read(checkout.id)).toMatchObject({ amount_refunded: 700, refunds: [expect.objectContaining({ state: 'succeeded' })] });
  // One change by the reconciler, one record; a later pass that finds nothing new adds none.
  expect(await reconcilerRecords(checkout.id)).toEqual([reconcilerRecord(checkout.id)]);
  expect((await reconcile()).status).toBe(200);
  expect(await reconcilerRecords(checkout.id)).toHaveLength(1);
  // The client's retry answers the refund made, and nothing more happens at the provider.
  const retry = await m.untilSettled(() => m.act('refund', checkout.id, body));
  expect(retry.final.status).toBe(200);
  expect(await m.actedCalls('/v2/checkout/refund', checkout.provider.checkout_id)).toHaveLength(1);
  expect((await m.atProvider(checkout.provider.checkout_id)).amountRefunded).toBe(700);
});

test('a refund that never reached the provider: the pass settles it as failed, and the retry then makes it once', async () => {
  const checkout = await m.checkoutIn('captured');
  await h.sandbox.armFault('drop_before_commit', 1, '/v2/checkout/refund');
  const body = { unique_id: newUniqueId('never'), reason: 'Never', amount: 900 };
  expect((await m.act('refund', checkout.id, body)).status).toBe(503);
  await reconcileUntil(async () => (await read(checkout.id)).refunds[0].state === 'failed');
  // Settled as failed: the action's outcome changed, and nothing else.
  expect(await reconcilerRecords(checkout.id)).toEqual([reconcilerRecord(checkout.id)]);
  const retry = await m.untilSettled(() => m.act('refund', checkout.id, body));
  expect(retry.final.status).toBe(200);
  expect(retry.final.body.refunds).toEqual([expect.objectContaining({ amount: 900, state: 'succeeded' })]);
  expect((await m.atProvider(checkout.provider.checkout_id)).amountRefunded).toBe(900);
});

class ProcessDied extends Error {}

/** A creation whose process died right after (or right before) the provider call, never retried. */
async function abandonedCreation(reachesProvider: boolean) {
  const payer: Principal = { sub: await h.subOf('payer'), roles: ['payer'] };
  const uniqueId = newUniqueId('abandoned');
  const body = createCheckoutRequest.parse(h.checkoutBody(uniqueId));
  const deps = await checkoutDeps();
  const provider = new Proxy(deps.provider, {
    get(target, property) {
      if (property === 'createCheckout') {
        return async (...args: Parameters<PaymentProvider['createCheckout']>) => {
          if (reachesProvider) await target.createCheckout(...args);
          throw new ProcessDied();
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  await expect(createCheckout({ ...deps, provider }, payer, createCheckoutInputFrom(body))).rejects.toBeInstanceOf(ProcessDied);
  return { id: checkoutIdFor(payer.sub, uniqueId), providerUniqueId: providerUniqueIdFor(payer.sub, uniqueId) };
}

test('a creation whose answer was lost and never retried: the pass finds it at the provider and records it', async () => {
  const { id, providerUniqueId } = await abandonedCreation(true);
  const charged = await h.sandbox.checkoutIdsFor(providerUniqueId);
  expect(charged).toHaveLength(1);
  await reconcileUntil(async () => (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${id}`)).status === 200);
  expect(await read(id)).toMatchObject({ id, state: 'authorized', provider: { name: 'wepay', checkout_id: charged[0] } });
  expect(await reconcilerRecords(id)).toEqual([reconcilerRecord(id)]);
});

test('a creation that never reached the provider: the pass records that it does not exist', async () => {
  const { id } = await abandonedCreation(false);
  const reports = await reconcileUntil(async () => true);
  await sleep(1_100); // past its lease
  reports.push(...(await reconcileUntil(async () => true)));
  expect(reports.some((r) => r.body.settled >= 1)).toBe(true);
  expect((await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${id}`)).status).toBe(404);
  expect((await reconcile()).body.unresolved).toBe(0);
  // Dropping an intent for a checkout that never existed changes no checkout.
  expect(await reconcilerRecords(id)).toEqual([]);
});

test('a pass that re-reads a stale checkout the provider has not changed leaves no audit record', async () => {
  const checkout = await m.checkoutIn('captured');
  await withoutIpns(checkout.provider.checkout_id);
  const readByPass = async () =>
    (await h.sandbox.calls('/v2/checkout')).some((c) => (c as { via_batch?: boolean }).via_batch === true && c.status === 200 && String(c.checkout_id) === String(checkout.provider.checkout_id));
  await reconcileUntil(readByPass);
  expect((await reconcile()).status).toBe(200);
  expect(await reconcilerRecords(checkout.id)).toEqual([]);
});

test('a pass while another runs is 409 invalid_state with Retry-After, and runs once it is over', async () => {
  // Another pass (another Lambda) holds the lease: taken here through the same port, so the
  // overlap does not depend on how long anything takes.
  const other = reconciliationLease();
  const now = Date.now();
  expect(await other.acquire('another-pass', now, 120_000)).toEqual({ acquired: true });
  const busy = await reconcile();
  expectApiError(busy, { status: 409, type: 'invalid_request', code: 'invalid_state' });
  expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(100);
  expect(Number(busy.headers['retry-after'])).toBeLessThanOrEqual(120);
  await other.release('another-pass');
  expect((await reconcile()).status).toBe(200);
});

test('only ops may run a pass', async () => {
  const reply = await h.as(h.dev.tokens.merchant).call('POST', '/v1/reconciliations', { body: {} });
  expectApiError(reply, { status: 403, type: 'permission_error', code: 'permission_denied' });
});
