// The test API's listings of what the sandbox holds (checkouts, accounts,
// users), oldest first, and that they (and the state behind them) survive
// restarts, compactions and a memory cache far smaller than the state. Only
// through HTTP: the tests never look at the sandbox's files.
import { createHash } from 'node:crypto';
import { checkoutParams, newCard, newMerchant, post, registration, send, startHarness, type Harness } from './sandbox-harness.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('listings', () => {
  let harness: Harness;
  afterEach(() => harness.sandbox.close());

  it('lists checkouts oldest first as WePay checkout objects, filtered exactly by short_description', async () => {
    harness = await startHarness();
    const url = harness.sandbox.url;
    const merchant = await newMerchant(url);
    const card = await newCard(url);
    const created = [];
    for (const description of ['Latte', 'Mocha', 'Latte', 'Latte large']) {
      created.push((await post(url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, { short_description: description }), merchant.token)).body);
    }

    const all = (await send(url, 'GET', '/__sandbox/checkouts')).body.checkouts;
    expect(all.map((c: { checkout_id: number }) => c.checkout_id)).toEqual(created.map((c) => c.checkout_id));
    expect(all[0]).toEqual(created[0]);

    const lattes = (await send(url, 'GET', '/__sandbox/checkouts?short_description=Latte')).body.checkouts;
    expect(lattes.map((c: { checkout_id: number }) => c.checkout_id)).toEqual([created[0].checkout_id, created[2].checkout_id]);
    expect((await send(url, 'GET', '/__sandbox/checkouts?short_description=Tea')).body).toEqual({ checkouts: [] });
  });

  it('lists accounts with their owner, name and reference_id', async () => {
    harness = await startHarness();
    const url = harness.sandbox.url;
    const first = await newMerchant(url, 'First Cafe');
    const withReference = await post(url, '/v2/account/create', { name: 'Second Shop', description: 'd', reference_id: 'mer_123' }, first.token);
    expect((await send(url, 'GET', '/__sandbox/accounts')).body).toEqual({
      accounts: [
        { account_id: first.accountId, owner_user_id: first.userId, name: 'First Cafe', reference_id: null },
        { account_id: withReference.body.account_id, owner_user_id: first.userId, name: 'Second Shop', reference_id: 'mer_123' },
      ],
    });
  });

  it('lists users with the SHA-256 of every access token issued to them, never a token', async () => {
    harness = await startHarness();
    const url = harness.sandbox.url;
    const details = registration();
    const once = (await post(url, '/v2/user/register', details)).body;
    const again = (await post(url, '/v2/user/register', details)).body;
    expect(again.user_id).toBe(once.user_id);
    const other = (await post(url, '/v2/user/register', registration())).body;

    const listing = await send(url, 'GET', '/__sandbox/users');
    expect(listing.body.users).toEqual([
      { user_id: once.user_id, email: details['email'], token_sha256: expect.arrayContaining([sha256(once.access_token), sha256(again.access_token)]) },
      { user_id: other.user_id, email: expect.any(String), token_sha256: [sha256(other.access_token)] },
    ]);
    expect(listing.body.users[0].token_sha256).toHaveLength(2);
    const text = JSON.stringify(listing.body);
    for (const token of [once.access_token, again.access_token, other.access_token]) expect(text).not.toContain(token);
  });
});

describe('state across restarts with a small memory cache and frequent compactions', () => {
  let harness: Harness;
  afterAll(() => harness.sandbox.close());

  it('keeps every checkout, account, user, used unique_id and state change, identical in the listings and the calls', async () => {
    // 5 full checkouts in memory and a 4 KiB journal: most reads come from disk, and compactions happen.
    harness = await startHarness({ persistence: { hotCheckouts: 5, compactAtBytes: 4 * 1024 } });
    let url = harness.sandbox.url;
    const merchants = [await newMerchant(url, 'North'), await newMerchant(url, 'South')];
    const card = await newCard(url);
    const created: Array<{ checkout_id: number; token: string; params: Record<string, unknown> }> = [];
    for (let i = 0; i < 60; i++) {
      const merchant = merchants[i % 2]!;
      const params = checkoutParams(merchant.accountId, card, { unique_id: `listing-${i}`, reference_id: `order-${i}`, amount: 30 + i });
      const reply = await post(url, '/v2/checkout/create', params, merchant.token);
      expect(reply.status).toBe(200);
      created.push({ checkout_id: reply.body.checkout_id, token: merchant.token, params });
    }
    for (const { checkout_id } of created.filter((_, i) => i % 4 === 0)) {
      await post(url, `/__sandbox/checkouts/${checkout_id}/state`, { state: 'captured' });
    }
    await post(url, '/v2/checkout/refund', { checkout_id: created[4]!.checkout_id, refund_reason: 'partial', amount: 3 }, created[4]!.token);

    const listingsOf = async () => ({
      checkouts: (await send(url, 'GET', '/__sandbox/checkouts')).body,
      accounts: (await send(url, 'GET', '/__sandbox/accounts')).body,
      users: (await send(url, 'GET', '/__sandbox/users')).body,
    });
    const before = await listingsOf();
    expect(before.checkouts.checkouts).toHaveLength(60);

    await harness.restart();
    url = harness.sandbox.url;
    await harness.restart();
    url = harness.sandbox.url;
    expect(await listingsOf()).toEqual(before);

    // The calls see the same state: fetches, find, and the used unique_ids.
    const refunded = await post(url, '/v2/checkout', { checkout_id: created[4]!.checkout_id }, created[4]!.token);
    expect(refunded.body).toMatchObject({ state: 'captured', amount_refunded: 3 });
    const found = await post(url, '/v2/checkout/find', { account_id: merchants[1]!.accountId, reference_id: 'order-7' }, merchants[1]!.token);
    expect(found.body.map((c: { checkout_id: number }) => c.checkout_id)).toEqual([created[7]!.checkout_id]);
    const repeat = await post(url, '/v2/checkout/create', created[13]!.params, created[13]!.token);
    expect(repeat.body.checkout_id).toBe(created[13]!.checkout_id);
    const reused = await post(url, '/v2/checkout/create', { ...created[13]!.params, amount: 999 }, created[13]!.token);
    expect(reused.body.error_code).toBe(1003);
  });
});
