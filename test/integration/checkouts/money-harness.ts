// What the money-movement tests share: checkouts in a given state, actions over
// HTTP, a client that retries as the API contract tells it to, and what the provider really
// did (its calls that took effect, and its figures).
import type { Reply } from '../../support/api-expectations.ts';
import { newUniqueId, type CheckoutHarness, type SandboxCall } from './checkout-harness.ts';

export type Action = 'capture' | 'cancel' | 'refund';
export const providerPath: Record<Action, string> = {
  capture: '/v2/checkout/capture',
  cancel: '/v2/checkout/cancel',
  refund: '/v2/checkout/refund',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function moneyHelpers(h: CheckoutHarness) {
  const merchant = () => h.as(h.dev.tokens.merchant);

  /** An authorized checkout (no auto-capture), or a captured one. */
  async function checkoutIn(state: 'authorized' | 'captured', amount = 10_400): Promise<any> {
    const created = await h.createCheckout(
      h.checkoutBody(newUniqueId('money'), {
        amount,
        fee: { app_fee: 0, fee_payer: 'payee_from_app' },
        payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: false } },
      }),
    );
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
    if (state === 'authorized') return created.body;
    const captured = await merchant().call('POST', `/v1/checkouts/${created.body.id}/capture`, { body: { unique_id: newUniqueId('cap') } });
    if (captured.status !== 200) throw new Error(`capture: ${captured.status} ${captured.text}`);
    return captured.body;
  }

  const act = (action: Action, checkoutId: string, body: Record<string, unknown>) =>
    merchant().call('POST', `/v1/checkouts/${checkoutId}/${action}`, { body });

  /**
   * A client retrying as the API contract says: every 409 (busy, key in use), 429 and 5xx is
   * retried with the same body after Retry-After (capped at 1 s: a client may come
   * back sooner), a bounded number of times.
   */
  async function untilSettled(send: () => Promise<Reply>, maxTries = 60, maxWaitMs = 1_000): Promise<{ final: Reply; retried: Reply[] }> {
    const retried: Reply[] = [];
    for (let tries = 0; tries < maxTries; tries++) {
      const reply = await send();
      if (reply.status !== 409 && reply.status !== 429 && reply.status < 500) return { final: reply, retried };
      if (reply.status === 409 && reply.body?.error?.code === 'invalid_state') return { final: reply, retried };
      retried.push(reply);
      // Jittered, so that clients racing for one checkout do not come back in lockstep.
      await sleep(Math.min(maxWaitMs * (0.5 + Math.random() / 2), Number(reply.headers['retry-after'] ?? 1) * 1000));
    }
    throw new Error('the request never settled');
  }

  /** The provider's calls on this path for this checkout that took effect (answered 200, or committed then dropped). */
  async function actedCalls(path: string, providerCheckoutId: string): Promise<SandboxCall[]> {
    const calls = await h.sandbox.calls(path);
    return calls.filter(
      (c) => String(c.checkout_id) === String(providerCheckoutId) && (c.status === 200 || (c.status === null && c.fault === 'drop_after_commit')),
    );
  }

  /** actedCalls once the log shows at least `atLeast` (a delayed answer is logged when it is sent). */
  async function actedCallsSettled(path: string, providerCheckoutId: string, atLeast = 1): Promise<SandboxCall[]> {
    const deadline = Date.now() + 120_000; // generous: a loaded machine is slow, a healthy one returns at once
    for (;;) {
      const calls = await actedCalls(path, providerCheckoutId);
      if (calls.length >= atLeast || Date.now() > deadline) return calls;
      await sleep(100);
    }
  }

  /** The provider's checkout with its amounts in cents. */
  async function atProvider(providerCheckoutId: string): Promise<{ state: string; amountRefunded: number; amountChargedBack: number }> {
    const checkout = await h.sandbox.checkout(providerCheckoutId);
    return {
      state: checkout.state,
      amountRefunded: Math.round(Number(checkout.amount_refunded) * 100),
      amountChargedBack: Math.round(Number(checkout.amount_charged_back) * 100),
    };
  }

  return { checkoutIn, act, untilSettled, actedCalls, actedCallsSettled, atProvider };
}
