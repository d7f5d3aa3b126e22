import {
  app,
  checkoutParams,
  DECLINED_CARD,
  newCard,
  newMerchant,
  post,
  startHarnessWithMerchant,
  type Harness,
  type Merchant,
} from './sandbox-harness.ts';

let harness: Harness;
let url: string;
let merchant: Merchant;
let card: number;
let uniqueCounter = 0;
const uniqueId = () => `order-${process.pid}-${++uniqueCounter}`;

beforeAll(async () => {
  ({ harness, url, merchant, card } = await startHarnessWithMerchant());
});
afterAll(() => harness.sandbox.close());

const create = (overrides: Record<string, unknown> = {}, token = merchant.token) =>
  post(url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, overrides), token);

describe('/v2/checkout/create', () => {
  it('creates an authorized card checkout with amounts in decimal dollars and the processing fee', async () => {
    const id = uniqueId();
    const reply = await create({
      unique_id: id,
      amount: '104.00',
      reference_id: 'order-7f3a',
      callback_uri: 'http://127.0.0.1:9/ipn?route=abc',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      checkout_id: expect.any(Number),
      account_id: merchant.accountId,
      state: 'authorized',
      short_description: 'Two coffees',
      type: 'goods',
      currency: 'USD',
      amount: 104,
      fee: { app_fee: 4, fee_payer: 'payee_from_app', processing_fee: 3.32 },
      gross: 104,
      reference_id: 'order-7f3a',
      unique_id: id,
      amount_refunded: 0,
      amount_charged_back: 0,
      create_time: expect.any(Number),
      callback_uri: 'http://127.0.0.1:9/ipn?route=abc',
      payment_method: { type: 'credit_card', credit_card: { id: card, auto_capture: true } },
    });
    expect(Math.abs(reply.body.create_time - Date.now() / 1000)).toBeLessThan(120);
  });

  it.each([
    ['payer', 10.1, 0.5, 0.59, 11.19],
    ['payer_from_app', 10.1, 0.5, 0.59, 10.6],
    ['payee', 10.1, 0.5, 0.59, 10.1],
    ['payee_from_app', 10.1, 0.5, 0.59, 10.1],
  ])('computes gross for fee_payer %s (2.9%% + $0.30 rounded half-up)', async (feePayer, amount, appFee, processingFee, gross) => {
    const reply = await create({ amount, fee: { app_fee: appFee, fee_payer: feePayer } });
    expect(reply.body.fee).toEqual({ app_fee: appFee, fee_payer: feePayer, processing_fee: processingFee });
    expect(reply.body.gross).toBe(gross);
  });

  it('defaults the fee payer to payer and the app fee to 0', async () => {
    const reply = await create({ fee: undefined });
    expect(reply.body.fee).toEqual({ app_fee: 0, fee_payer: 'payer', processing_fee: 3.32 });
  });

  it('accepts an app fee of exactly 20% and rejects one above it', async () => {
    expect((await create({ amount: 50, fee: { app_fee: 10, fee_payer: 'payee_from_app' } })).status).toBe(200);
    const over = await create({ amount: 50, fee: { app_fee: 10.01, fee_payer: 'payee_from_app' } });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
  });

  it.each([['104.001'], [104.001], ['-1'], [0], ['abc']])('rejects the amount %j with 1003', async (amount) => {
    const reply = await create({ amount });
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
  });

  it.each(['currency', 'short_description', 'type', 'amount', 'account_id'])('requires %s (1004)', async (name) => {
    const reply = await create({ [name]: undefined });
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1004 });
  });

  it('rejects payment_method and hosted_checkout together', async () => {
    const reply = await create({ hosted_checkout: { mode: 'regular' } });
    expect(reply.body).toMatchObject({ error_code: 1003 });
  });

  it('leaves a checkout without a payment method in state new', async () => {
    const reply = await create({ payment_method: undefined });
    expect(reply.body.state).toBe('new');
    expect(reply.body.hosted_checkout.checkout_uri).toContain(String(reply.body.checkout_id));
  });

  it("refuses another merchant's account with access_denied", async () => {
    const stranger = await newMerchant(url, 'Other Shop');
    const reply = await create({}, stranger.token);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'access_denied', error_code: 1006 });
  });
});

describe('unique_id', () => {
  it('returns the original checkout for a repeat and creates nothing new', async () => {
    const id = uniqueId();
    const first = await create({ unique_id: id });
    const second = await create({ unique_id: id });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it('answers a repeat with other parameters with 1003 and creates nothing', async () => {
    const id = uniqueId();
    const first = await create({ unique_id: id, amount: 30 });
    expect(first.status).toBe(200);
    const other = await create({ unique_id: id, amount: 31 });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
    const again = await create({ unique_id: id, amount: 30 });
    expect(again.body.checkout_id).toBe(first.body.checkout_id);
    // Ids are handed out in sequence: the next checkout follows the first directly.
    const next = await create({ unique_id: uniqueId() });
    expect(next.body.checkout_id).toBe(first.body.checkout_id + 1);
  });
});

describe('declines', () => {
  it('declines the declining test card with 1008 "general decline" and creates no checkout', async () => {
    const declining = await newCard(url, DECLINED_CARD);
    const before = await create({});
    const id = uniqueId();
    const reply = await create({ unique_id: id, payment_method: { type: 'credit_card', credit_card: { id: declining } } });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: 'processing_error',
      error_description: 'Unable to charge payment method: general decline',
      error_code: 1008,
    });
    // The unique_id is used by the decline: a repeat gets the same decline, other parameters get 1003.
    const repeat = await create({ unique_id: id, payment_method: { type: 'credit_card', credit_card: { id: declining } } });
    expect(repeat.body).toEqual(reply.body);
    const withOtherCard = await create({ unique_id: id });
    expect(withOtherCard.body).toMatchObject({ error_code: 1003 });
    const after = await create({});
    expect(after.body.checkout_id).toBe(before.body.checkout_id + 1);
  });
});

describe('capture, cancel and refund', () => {
  const manual = () => create({ payment_method: { type: 'credit_card', credit_card: { id: card, auto_capture: false } } });
  const act = (path: string, params: Record<string, unknown>) => post(url, path, params, merchant.token);

  it('fetches a checkout with /v2/checkout', async () => {
    const created = await manual();
    const fetched = await act('/v2/checkout', { checkout_id: created.body.checkout_id });
    expect(fetched.body).toEqual(created.body);
  });

  it('captures an authorized checkout, then refuses a second capture with 4004', async () => {
    const created = await manual();
    const captured = await act('/v2/checkout/capture', { checkout_id: created.body.checkout_id });
    expect(captured.body.state).toBe('captured');
    const again = await act('/v2/checkout/capture', { checkout_id: created.body.checkout_id });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_request', error_code: 4004 });
  });

  it('cancels an authorized checkout, and refuses to cancel a captured one with 4004', async () => {
    const created = await manual();
    const cancelled = await act('/v2/checkout/cancel', { checkout_id: created.body.checkout_id, cancel_reason: 'out of stock' });
    expect(cancelled.body).toMatchObject({ state: 'cancelled', cancel_reason: 'out of stock' });

    const other = await manual();
    await act('/v2/checkout/capture', { checkout_id: other.body.checkout_id });
    const refused = await act('/v2/checkout/cancel', { checkout_id: other.body.checkout_id, cancel_reason: 'late' });
    expect(refused.body).toMatchObject({ error_code: 4004 });
  });

  it('refunds in part (state kept, amount_refunded grows) and then in full (state refunded)', async () => {
    const created = await manual();
    const checkoutId = created.body.checkout_id;
    await act('/v2/checkout/capture', { checkout_id: checkoutId });
    const partial = await act('/v2/checkout/refund', { checkout_id: checkoutId, refund_reason: 'one cup spilled', amount: 5 });
    expect(partial.body).toMatchObject({ state: 'captured', amount_refunded: 5 });
    const tooMuch = await act('/v2/checkout/refund', { checkout_id: checkoutId, refund_reason: 'x', amount: 100 });
    expect(tooMuch.body).toMatchObject({ error_code: 1003 });
    const rest = await act('/v2/checkout/refund', { checkout_id: checkoutId, refund_reason: 'closed' });
    expect(rest.body).toMatchObject({ state: 'refunded', amount_refunded: 104 });
    const again = await act('/v2/checkout/refund', { checkout_id: checkoutId, refund_reason: 'again' });
    expect(again.body).toMatchObject({ error_code: 4004 });
  });

  it('refuses to refund an authorized (uncaptured) checkout with 4004', async () => {
    const created = await manual();
    const reply = await act('/v2/checkout/refund', { checkout_id: created.body.checkout_id, refund_reason: 'x' });
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 4004 });
  });

  it("lets the app's token act on a merchant's checkout", async () => {
    const created = await manual();
    const captured = await post(url, '/v2/checkout/capture', { checkout_id: created.body.checkout_id }, app.accessToken);
    expect(captured.body.state).toBe('captured');
  });
});
