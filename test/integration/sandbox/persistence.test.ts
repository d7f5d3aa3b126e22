import { waitFor } from '../../support/wait-for.ts';
import { checkoutParams, newCard, newMerchant, post, send, startHarness, startIpnReceiver } from './sandbox-harness.ts';

describe('state across a restart', () => {
  it('keeps users, tokens, accounts, cards, checkouts and used unique_ids', async () => {
    const harness = await startHarness();
    try {
      const merchant = await newMerchant(harness.sandbox.url);
      const card = await newCard(harness.sandbox.url);
      const params = checkoutParams(merchant.accountId, card, { unique_id: 'persist-1' });
      const created = await post(harness.sandbox.url, '/v2/checkout/create', params, merchant.token);
      await post(harness.sandbox.url, '/__sandbox/checkouts/' + created.body.checkout_id + '/state', { state: 'captured' });

      await harness.restart();
      const url = harness.sandbox.url;

      const fetched = await post(url, '/v2/checkout', { checkout_id: created.body.checkout_id }, merchant.token);
      expect(fetched.body).toMatchObject({ checkout_id: created.body.checkout_id, state: 'captured' });
      const repeat = await post(url, '/v2/checkout/create', params, merchant.token);
      expect(repeat.body.checkout_id).toBe(created.body.checkout_id);
      const reused = await post(url, '/v2/checkout/create', { ...params, amount: 50 }, merchant.token);
      expect(reused.body.error_code).toBe(1003);
      const anotherCheckout = await post(url, '/v2/checkout/create', checkoutParams(merchant.accountId, card), merchant.token);
      expect(anotherCheckout.body.checkout_id).toBe(created.body.checkout_id + 1);
    } finally {
      await harness.sandbox.close();
    }
  });

  it('keeps a revoked token revoked', async () => {
    const harness = await startHarness();
    try {
      const merchant = await newMerchant(harness.sandbox.url);
      await post(harness.sandbox.url, '/__sandbox/tokens/revoke', { access_token: merchant.token });
      await harness.restart();
      const reply = await post(harness.sandbox.url, '/v2/account', { account_id: merchant.accountId }, merchant.token);
      expect(reply.body.error_code).toBe(1011);
    } finally {
      await harness.sandbox.close();
    }
  });

  it('resumes a pending capture after a restart', async () => {
    const harness = await startHarness({ timeScale: 1, lifecycle: { captureAfterMs: 600, releaseAfterMs: null } });
    try {
      const merchant = await newMerchant(harness.sandbox.url);
      const card = await newCard(harness.sandbox.url);
      const created = await post(harness.sandbox.url, '/v2/checkout/create', checkoutParams(merchant.accountId, card), merchant.token);
      await harness.restart();
      await waitFor(async () => {
        const fetched = await post(harness.sandbox.url, '/v2/checkout', { checkout_id: created.body.checkout_id }, merchant.token);
        return fetched.body.state === 'captured' ? true : undefined;
      }, 'the capture after the restart');
    } finally {
      await harness.sandbox.close();
    }
  });

  it('resumes a pending IPN retry after a restart', async () => {
    const receiver = await startIpnReceiver([500]);
    // The retry is due 9 s (15 min × 0.01) after the failed try: ample time to see it pending and restart.
    const harness = await startHarness({ timeScale: 0.01 });
    try {
      const merchant = await newMerchant(harness.sandbox.url);
      const card = await newCard(harness.sandbox.url);
      const created = await post(
        harness.sandbox.url,
        '/v2/checkout/create',
        checkoutParams(merchant.accountId, card, { callback_uri: `${receiver.url}/ipn` }),
        merchant.token,
      );
      await waitFor(async () => {
        const ipns = (await send(harness.sandbox.url, 'GET', '/__sandbox/ipns')).body;
        return ipns.pending.length === 1 && ipns.pending[0].attempt === 1 ? true : undefined;
      }, 'a failed first try');
      await harness.restart();
      await waitFor(() => (receiver.received.length === 2 ? true : undefined), 'the retry after the restart');
      expect(receiver.received[1]?.body).toBe(`checkout_id=${created.body.checkout_id}`);
    } finally {
      await harness.sandbox.close();
      await receiver.close();
    }
  });

  it('stops every timer on close, so nothing fires afterwards', async () => {
    const receiver = await startIpnReceiver();
    // The IPN would go out 2 s after the creation; the sandbox is closed long before.
    const harness = await startHarness({ timeScale: 1, ipnBatchWindowMs: 2_000 });
    const merchant = await newMerchant(harness.sandbox.url);
    const card = await newCard(harness.sandbox.url);
    await post(harness.sandbox.url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, { callback_uri: `${receiver.url}/ipn` }), merchant.token);
    await harness.sandbox.close();
    // Only to give a timer that survived close the time to fire; the test passes however long it lasts.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(receiver.received).toHaveLength(0);
    await receiver.close();
  });
});
