import { waitFor } from '../../support/wait-for.ts';
import {
  checkoutParams,
  newCard,
  newMerchant,
  post,
  send,
  startHarness,
  startIpnReceiver,
  type Harness,
} from './sandbox-harness.ts';

type Receiver = Awaited<ReturnType<typeof startIpnReceiver>>;
const MINUTE = 60_000;

/**
 * Only before asserting that something did NOT happen: gives a wrong implementation
 * the time to do it. The test passes however long the pause really lasts; never use
 * it to wait for something (use waitFor).
 */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setUp(options: Parameters<typeof startHarness>[0], statuses: number[] = []) {
  const harness = await startHarness(options);
  const receiver = await startIpnReceiver(statuses);
  const merchant = await newMerchant(harness.sandbox.url);
  const card = await newCard(harness.sandbox.url);
  const create = (overrides: Record<string, unknown> = {}) =>
    post(harness.sandbox.url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, overrides), merchant.token);
  const fetchCheckout = (checkoutId: number) => post(harness.sandbox.url, '/v2/checkout', { checkout_id: checkoutId }, merchant.token);
  const ipns = async (checkoutId: number) =>
    (await send(harness.sandbox.url, 'GET', `/__sandbox/ipns?checkout_id=${checkoutId}`)).body as {
      ipns: { attempt: number; status: number | null; at: string; outcome: string }[];
      pending: { attempt: number; due_at: number }[];
    };
  return { harness, receiver, merchant, card, create, fetchCheckout, ipns };
}

async function tearDown(harness: Harness, receiver: Receiver) {
  await harness.sandbox.close();
  await receiver.close();
}

describe('checkout lifecycle', () => {
  it('moves an auto-capture card checkout from authorized to captured to released after the scaled delays', async () => {
    const env = await setUp({ timeScale: 0.001, lifecycle: { captureAfterMs: 20_000, releaseAfterMs: 40_000 } });
    try {
      const created = await env.create();
      expect(created.body.state).toBe('authorized');
      // Which intermediate states a poll happens to see depends on scheduling: only the end is asserted.
      await waitFor(async () => {
        const state = (await env.fetchCheckout(created.body.checkout_id)).body.state as string;
        return state === 'released' ? state : undefined;
      }, 'the checkout to be released');
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('leaves checkouts where they are when the delays are null, until told', async () => {
    const env = await setUp({ timeScale: 0.001, lifecycle: { captureAfterMs: null, releaseAfterMs: null } });
    try {
      const created = await env.create();
      await pause(100);
      expect((await env.fetchCheckout(created.body.checkout_id)).body.state).toBe('authorized');
      const told = await post(env.harness.sandbox.url, `/__sandbox/checkouts/${created.body.checkout_id}/state`, { state: 'captured' });
      expect(told.body.state).toBe('captured');
      await pause(100);
      expect((await env.fetchCheckout(created.body.checkout_id)).body.state).toBe('captured');
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('keeps a checkout with auto_capture false authorized until /v2/checkout/capture', async () => {
    const env = await setUp({ timeScale: 0.001, lifecycle: { captureAfterMs: 0, releaseAfterMs: null } });
    try {
      const created = await env.create({ payment_method: { type: 'credit_card', credit_card: { id: env.card, auto_capture: false } } });
      await pause(100);
      expect((await env.fetchCheckout(created.body.checkout_id)).body.state).toBe('authorized');
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('expires a checkout left in new for 30 (scaled) minutes', async () => {
    const env = await setUp({ timeScale: 0.00005 });
    try {
      const created = await env.create({ payment_method: undefined });
      expect(created.body.state).toBe('new');
      await waitFor(
        async () => ((await env.fetchCheckout(created.body.checkout_id)).body.state === 'expired' ? true : undefined),
        'the checkout to expire',
      );
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it.each([
    ['charged back', { amount_charged_back: 104 }],
    ['refunded', { amount_refunded: 104 }],
    ['failed', {}],
  ])('moves a checkout to %j when told', async (state, amounts) => {
    const env = await setUp({});
    try {
      const created = await env.create();
      const told = await post(env.harness.sandbox.url, `/__sandbox/checkouts/${created.body.checkout_id}/state`, { state });
      expect(told.status).toBe(200);
      expect(told.body).toMatchObject({ state, ...amounts });
      expect((await env.fetchCheckout(created.body.checkout_id)).body).toMatchObject({ state, ...amounts });
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('rejects an unknown state and an unknown checkout', async () => {
    const env = await setUp({});
    try {
      const created = await env.create();
      expect((await post(env.harness.sandbox.url, `/__sandbox/checkouts/${created.body.checkout_id}/state`, { state: 'settled' })).status).toBe(400);
      // The API contract accepts our spelling too.
      expect((await post(env.harness.sandbox.url, `/__sandbox/checkouts/${created.body.checkout_id}/state`, { state: 'charged_back' })).status).toBe(200);
      expect((await post(env.harness.sandbox.url, '/__sandbox/checkouts/1/state', { state: 'captured' })).status).toBe(404);
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });
});

describe('IPN', () => {
  it('POSTs checkout_id and reference_id as a form to the callback_uri, keeping its query string', async () => {
    const env = await setUp({});
    try {
      const created = await env.create({ callback_uri: `${env.receiver.url}/v1/ipn/wepay/route-token?source=sandbox`, reference_id: 'order 7/3' });
      await waitFor(() => (env.receiver.received.length > 0 ? true : undefined), 'an IPN');
      const [ipn] = env.receiver.received;
      expect(ipn?.path).toBe('/v1/ipn/wepay/route-token?source=sandbox');
      expect(ipn?.contentType).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(ipn?.body))).toEqual({
        checkout_id: String(created.body.checkout_id),
        reference_id: 'order 7/3',
      });
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('sends no reference_id when the checkout has none', async () => {
    const env = await setUp({});
    try {
      const created = await env.create({ callback_uri: `${env.receiver.url}/ipn` });
      await waitFor(() => (env.receiver.received.length > 0 ? true : undefined), 'an IPN');
      expect(env.receiver.received[0]?.body).toBe(`checkout_id=${created.body.checkout_id}`);
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('sends an IPN on every change: capture, partial refund, state told', async () => {
    const env = await setUp({ ipnBatchWindowMs: 0 });
    try {
      const created = await env.create({
        callback_uri: `${env.receiver.url}/ipn`,
        payment_method: { type: 'credit_card', credit_card: { id: env.card, auto_capture: false } },
      });
      const checkoutId = created.body.checkout_id;
      await waitFor(() => (env.receiver.received.length === 1 ? true : undefined), 'the IPN of the creation');
      await post(env.harness.sandbox.url, '/v2/checkout/capture', { checkout_id: checkoutId }, env.merchant.token);
      await waitFor(() => (env.receiver.received.length === 2 ? true : undefined), 'the IPN of the capture');
      await post(env.harness.sandbox.url, '/v2/checkout/refund', { checkout_id: checkoutId, refund_reason: 'x', amount: 1 }, env.merchant.token);
      await waitFor(() => (env.receiver.received.length === 3 ? true : undefined), 'the IPN of the refund');
      await post(env.harness.sandbox.url, `/__sandbox/checkouts/${checkoutId}/state`, { state: 'charged back' });
      await waitFor(() => (env.receiver.received.length === 4 ? true : undefined), 'the IPN of the chargeback');
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('batches close changes of one checkout into one IPN', async () => {
    const env = await setUp({ timeScale: 0.001, ipnBatchWindowMs: 2_000, lifecycle: { captureAfterMs: 0, releaseAfterMs: 0 } });
    try {
      const created = await env.create({ callback_uri: `${env.receiver.url}/ipn` });
      await waitFor(async () => ((await env.fetchCheckout(created.body.checkout_id)).body.state === 'released' ? true : undefined), 'release');
      // Delivered, and nothing pending once the checkout reached its final state: no second IPN can follow.
      const settled = await waitFor(async () => {
        const state = await env.ipns(created.body.checkout_id);
        return state.ipns.length > 0 && state.pending.length === 0 ? state : undefined;
      }, 'the IPN to be delivered with nothing pending');
      expect(settled.ipns).toHaveLength(1);
      expect(env.receiver.received).toHaveLength(1);
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it("retries a failed IPN at +15 min (scaled) and stops once the receiver answers 200", async () => {
    const env = await setUp({ timeScale: 0.0001 }, [500, 503]);
    try {
      const created = await env.create({ callback_uri: `${env.receiver.url}/ipn` });
      const checkoutId = created.body.checkout_id;
      const finished = await waitFor(async () => {
        const state = await env.ipns(checkoutId);
        return state.ipns.some((d) => d.outcome === 'delivered') ? state : undefined;
      }, 'delivery');
      expect(finished.ipns.map((d) => [d.attempt, d.status, d.outcome])).toEqual([
        [1, 500, 'retry_scheduled'],
        [2, 503, 'retry_scheduled'],
        [3, 200, 'delivered'],
      ]);
      expect(finished.pending).toEqual([]);
      expect(env.receiver.received).toHaveLength(3);
      // Each retry waited its scaled delay after the failed try (15 min, then 30 min, × 0.0001).
      const at = finished.ipns.map((d) => Date.parse(d.at));
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(15 * MINUTE * 0.0001);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(30 * MINUTE * 0.0001);
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('gives up after the sixth retry (+15 min, +30 min, +1 h, +6 h, +12 h, +24 h)', async () => {
    const env = await setUp({ timeScale: 0.000005 }, Array.from({ length: 10 }, () => 500));
    try {
      const created = await env.create({ callback_uri: `${env.receiver.url}/ipn` });
      const finished = await waitFor(async () => {
        const state = await env.ipns(created.body.checkout_id);
        return state.ipns.some((d) => d.outcome === 'gave_up') ? state : undefined;
      }, 'the sandbox to give up');
      expect(finished.ipns).toHaveLength(7);
      expect(finished.ipns.at(-1)).toMatchObject({ attempt: 7, outcome: 'gave_up' });
      // The receiver recorded each request before answering it, so all seven are there.
      expect(env.receiver.received).toHaveLength(7);
      const at = finished.ipns.map((d) => Date.parse(d.at));
      [15, 30, 60, 360, 720, 1440].forEach((minutes, i) => expect(at[i + 1]! - at[i]!).toBeGreaterThanOrEqual(minutes * MINUTE * 0.000005));
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });

  it('treats an unreachable receiver as a failure and retries', async () => {
    const env = await setUp({ timeScale: 0.0001 });
    const closedReceiver = await startIpnReceiver();
    await closedReceiver.close();
    try {
      const created = await env.create({ callback_uri: `${closedReceiver.url}/ipn` });
      const state = await waitFor(async () => {
        const now = await env.ipns(created.body.checkout_id);
        return now.ipns.length >= 2 ? now : undefined;
      }, 'two tries');
      expect(state.ipns[0]).toMatchObject({ attempt: 1, status: null, outcome: 'retry_scheduled' });
    } finally {
      await tearDown(env.harness, env.receiver);
    }
  });
});
