// Every fault mode of the sandbox on /v2/checkout/create, through POST /v1/checkouts:
// each ends with exactly one checkout at the provider (or none, for a decline or a
// call that never took effect), an unknown outcome is 503 provider_unavailable
// and is not cached, and the client's retry with the same unique_id converges on
// the one provider checkout.
import { providerUniqueIdFor } from '#functions/app/checkouts.ts';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { waitFor } from '../../support/wait-for.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

// A short per-attempt timeout so that "a delay past the timeout" is quick; set before
// the runtime starts, because the wiring reads the configuration once, on first use.
// Long enough that an undelayed call always answers in time on a loaded machine.
const timeoutMs = 2_500;
process.env.PROVIDER_TIMEOUT_MS = String(timeoutMs);
process.env.PROVIDER_MAX_ATTEMPTS = '3';

let h: CheckoutHarness;
let payerSub: string;

beforeAll(async () => {
  h = await startCheckoutHarness({ sandbox: { throttle: null } });
  payerSub = await h.subOf('payer');
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  await h.sandbox.clearFaults();
  await h.sandbox.config({ throttle: null });
});

function expectUnavailable(reply: Reply) {
  expectApiError(reply, { status: 503, type: 'provider_error', code: 'provider_unavailable' });
  expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

/** The client's retry: not a replay (nothing was cached), a 201 for the one provider checkout. */
async function expectRetryConverges(uniqueId: string): Promise<Reply> {
  const retry = await h.createCheckout(h.checkoutBody(uniqueId));
  expect(retry.status).toBe(201);
  expect(retry.headers['idempotent-replayed']).toBeUndefined();
  const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
  expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([retry.body.provider.checkout_id]);
  // And from then on it is a replay.
  const replay = await h.createCheckout(h.checkoutBody(uniqueId));
  expect(replay.status).toBe(201);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.body).toEqual(retry.body);
  return retry;
}

/** A delayed answer is logged when it is finally sent: wait for the log to show `count` calls. */
const eventuallyCreateCalls = (providerUniqueId: string, count: number) =>
  waitFor(async () => {
    const calls = await h.sandbox.createCalls(providerUniqueId);
    return calls.length >= count ? calls : undefined;
  }, `${count} create calls at the provider`);

describe('provider faults on checkout creation', () => {
  test('a connection dropped after the provider committed is retried in the same request: 201, one provider checkout', async () => {
    const uniqueId = newUniqueId('drop-after-once');
    await h.sandbox.armFault('drop_after_commit', 1);
    const reply = await h.createCheckout(h.checkoutBody(uniqueId));
    expect(reply.status).toBe(201);
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    const calls = await h.sandbox.createCalls(providerUniqueId);
    expect(calls.map((c) => [c.status, c.fault])).toEqual([[null, 'drop_after_commit'], [200, null]]);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([reply.body.provider.checkout_id]);
  });

  test('drop after commit on every attempt: 503 provider_unavailable, nothing cached, the retry completes the same checkout', async () => {
    const uniqueId = newUniqueId('drop-after');
    await h.sandbox.armFault('drop_after_commit', 3);
    expectUnavailable(await h.createCheckout(h.checkoutBody(uniqueId)));
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    // The provider did create it on the first attempt; the two repeats found it.
    const created = await h.sandbox.checkoutIdsFor(providerUniqueId);
    expect(created).toHaveLength(1);
    const retry = await expectRetryConverges(uniqueId);
    expect(retry.body.provider.checkout_id).toBe(created[0]);
    expect(await h.sandbox.createCalls(providerUniqueId)).toHaveLength(4);
  });

  test('drop before commit on every attempt: 503, no provider checkout, the retry creates exactly one', async () => {
    const uniqueId = newUniqueId('drop-before');
    await h.sandbox.armFault('drop_before_commit', 3);
    expectUnavailable(await h.createCheckout(h.checkoutBody(uniqueId)));
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([]);
    await expectRetryConverges(uniqueId);
  });

  test("the provider's unknown error (1008) on every attempt: 503, nothing cached, the retry creates exactly one", async () => {
    const uniqueId = newUniqueId('unknown');
    await h.sandbox.armFault('unknown_error', 3);
    expectUnavailable(await h.createCheckout(h.checkoutBody(uniqueId)));
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    const calls = await h.sandbox.createCalls(providerUniqueId);
    expect(calls.map((c) => [c.status, c.error_code])).toEqual([[500, 1008], [500, 1008], [500, 1008]]);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([]);
    await expectRetryConverges(uniqueId);
  });

  test('one unknown error is retried in the same request with the same unique_id: 201, one provider checkout', async () => {
    const uniqueId = newUniqueId('unknown-once');
    await h.sandbox.armFault('unknown_error', 1);
    const reply = await h.createCheckout(h.checkoutBody(uniqueId));
    expect(reply.status).toBe(201);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueIdFor(payerSub, uniqueId))).toEqual([reply.body.provider.checkout_id]);
  });

  test('answers delayed past the timeout on every attempt: 503, and the retry completes the one checkout the provider made', async () => {
    const uniqueId = newUniqueId('slow');
    await h.sandbox.armFault({ delay_ms: timeoutMs + 2_000 }, 3);
    expectUnavailable(await h.createCheckout(h.checkoutBody(uniqueId)));
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    // Each delayed call took effect at once; the repeats (same unique_id) found the first one.
    const calls = await eventuallyCreateCalls(providerUniqueId, 3);
    expect(calls).toHaveLength(3);
    const created = await h.sandbox.checkoutIdsFor(providerUniqueId);
    expect(created).toHaveLength(1);
    const retry = await expectRetryConverges(uniqueId);
    expect(retry.body.provider.checkout_id).toBe(created[0]);
  });

  test("a throttled call (1007) is 429 rate_limited with Retry-After, nothing cached, and the retry creates one checkout", async () => {
    const uniqueId = newUniqueId('throttle-fault');
    await h.sandbox.armFault('throttle', 1);
    const reply = await h.createCheckout(h.checkoutBody(uniqueId));
    expectApiError(reply, { status: 429, type: 'rate_limit_error', code: 'rate_limited' });
    expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    // Throttling is never retried inside the request: one call, no checkout.
    expect(await h.sandbox.createCalls(providerUniqueId)).toHaveLength(1);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([]);
    await expectRetryConverges(uniqueId);
  });

  test("the sandbox's real throttle: over the limit is 429 with the provider's Retry-After, and a retry once the window is over succeeds", async () => {
    // A window far longer than the test: the second call is refused however slowly it comes.
    await h.sandbox.config({ throttle: { calls: 1, window_s: 600 } });
    const admitted = await h.createCheckout(h.checkoutBody(newUniqueId('throttle-first')));
    expect(admitted.status).toBe(201);

    const uniqueId = newUniqueId('throttle-second');
    const refused = await h.createCheckout(h.checkoutBody(uniqueId));
    expectApiError(refused, { status: 429, type: 'rate_limit_error', code: 'rate_limited' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([]);

    // The window ends (told, rather than waited for): the client's retry goes through.
    await h.sandbox.config({ throttle: null });
    await expectRetryConverges(uniqueId);
  });

  test('a declined card: 402, no provider checkout, and the retry replays the 402 without calling the provider', async () => {
    const uniqueId = newUniqueId('decline');
    const body = h.checkoutBody(uniqueId, {
      payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.decline, auto_capture: true } },
    });
    const first = await h.createCheckout(body);
    expectApiError(first, { status: 402, type: 'card_error', code: 'card_declined' });
    const retry = await h.createCheckout(body);
    expect(retry.status).toBe(402);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const providerUniqueId = providerUniqueIdFor(payerSub, uniqueId);
    // A decline is never retried: one call, and it created nothing.
    expect(await h.sandbox.createCalls(providerUniqueId)).toHaveLength(1);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([]);
  });
});
