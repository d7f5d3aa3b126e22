// A card token the provider does not know is 400 parameter_invalid with
// param payment_method.credit_card.id (a client's mistake, not a 502). The
// sandbox answers it as WePay answers an invalid parameter value (error 1003).
import { jest } from '@jest/globals';
import { expectApiError } from '../../support/api-expectations.ts';
import { CREATE, newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

// Jest applies the integration project's testTimeout to tests only when run as a project; be explicit.

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
});
afterAll(async () => {
  await h?.close();
});

it.each([
  ['an id the sandbox never issued', '987654321'],
  ['a numeric id', 987654322],
  ['a token that is not a number at all', 'tok_not_a_card'],
])('%s: 400 parameter_invalid on payment_method.credit_card.id; the sandbox answered 1003', async (_what, cardId) => {
  const body = h.checkoutBody(newUniqueId('unknown-card'), { payment_method: { type: 'credit_card', credit_card: { id: cardId, auto_capture: true } } });
  const before = (await h.sandbox.calls(CREATE)).length;
  const reply = await h.createCheckout(body);
  expectApiError(reply, { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'payment_method.credit_card.id' });
  const calls = (await h.sandbox.calls(CREATE)).slice(before);
  expect(calls.map((c) => [c.status, c.error_code])).toEqual([[400, 1003]]);
});

it('the same unique_id then succeeds with a card the provider knows (the refusal bound nothing)', async () => {
  const uniqueId = newUniqueId('retry-card');
  const unknown = h.checkoutBody(uniqueId, { payment_method: { type: 'credit_card', credit_card: { id: '987654323', auto_capture: true } } });
  expect((await h.createCheckout(unknown)).status).toBe(400);
  const reply = await h.createCheckout(h.checkoutBody(uniqueId));
  expect(reply.status).toBe(201);
});
