// Card-testing protection over HTTP (the API contract, velocity limits under POST /v1/checkouts):
// the limits are checked before the provider is called, and replays are exempt.
import { CREATE, newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

let h: CheckoutHarness;
let declineCard: string;

beforeAll(async () => {
  process.env.VELOCITY_CREATES_PER_MINUTE = '1000';
  process.env.VELOCITY_DECLINES_PER_HOUR = '5';
  process.env.VELOCITY_DECLINES_PER_CARD_PER_DAY = '8';
  process.env.VELOCITY_CREATES_PER_IP_PER_MINUTE = '1000';
  h = await startCheckoutHarness();
  declineCard = h.dev.credit_card_ids.decline;
});
afterAll(async () => {
  await h?.close();
  for (const limit of ['VELOCITY_CREATES_PER_MINUTE', 'VELOCITY_DECLINES_PER_HOUR', 'VELOCITY_DECLINES_PER_CARD_PER_DAY', 'VELOCITY_CREATES_PER_IP_PER_MINUTE']) {
    delete process.env[limit];
  }
});

const withCard = (card: string) => ({ payment_method: { type: 'credit_card', credit_card: { id: card, auto_capture: true } } });

/** A fresh card token for the sandbox's declining test number, so each test counts from zero. */
async function newDecliningCard(): Promise<string> {
  const answer = (await h.sandbox.request('POST', '/v2/credit_card/create', {
    client_id: h.dev.client_id,
    user_name: 'Card Tester',
    email: 'tester@example.com',
    cc_number: '4000000000000002',
    cvv: '123',
    expiration_month: 12,
    expiration_year: new Date().getUTCFullYear() + 2,
    address: { country: 'US', postal_code: '94105' },
  })) as { credit_card_id: string | number };
  return String(answer.credit_card_id);
}

const createCallCount = async () => (await h.sandbox.calls(CREATE)).length;

describe('velocity limits on checkout creation', () => {
  it("refuses a payer's 6th create after 5 declines, even with a good card, without reaching the provider; others and replays unaffected", async () => {
    const payer = await h.mint('velocity-payer-1', ['payer']);
    const declined: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const body = h.checkoutBody(newUniqueId('declined'), withCard(declineCard));
      const answer = await h.createCheckout(body, payer);
      expect(answer.status).toBe(402);
      declined.push(body);
    }
    const before = await createCallCount();
    const sixth = await h.createCheckout(h.checkoutBody(newUniqueId('sixth')), payer);
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    // The oldest of the 5 declines leaves the hour's window in a little under an hour.
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3_000);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    expect(await createCallCount()).toBe(before);

    const replay = await h.createCheckout(declined[0]!, payer);
    expect(replay.status).toBe(402);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const otherPayer = await h.mint('velocity-payer-2', ['payer']);
    expect((await h.createCheckout(h.checkoutBody(newUniqueId('other')), otherPayer)).status).toBe(201);
  });

  it('refuses a card declined as often as the per-card limit allows, for every payer', async () => {
    const card = await newDecliningCard();
    for (let i = 0; i < 8; i++) {
      const payer = await h.mint(`card-tester-${i % 4}`, ['payer']);
      expect((await h.createCheckout(h.checkoutBody(newUniqueId('card'), withCard(card)), payer)).status).toBe(402);
    }
    const before = await createCallCount();
    for (const sub of ['card-tester-0', 'never-declined-payer']) {
      const refused = await h.createCheckout(h.checkoutBody(newUniqueId('again'), withCard(card)), await h.mint(sub, ['payer']));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(80_000);
    }
    expect(await createCallCount()).toBe(before);
  });
});
