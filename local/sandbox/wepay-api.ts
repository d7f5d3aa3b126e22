// The WePay v2 calls the sandbox implements, routed to one module per resource
// under calls/. Each call takes the parsed JSON body and the Authorization
// header and returns a status and a body; errors are WePay's {"error",
// "error_description", "error_code"}. No I/O here besides the store, the
// throttle, the lifecycle timers and the IPN dispatcher it is given.
import { createAccount, accountView } from '#local/sandbox/calls/accounts.ts';
import { accountFor, authenticate, checkoutFor } from '#local/sandbox/calls/authorization.ts';
import { batch } from '#local/sandbox/calls/batch.ts';
import { createCheckout } from '#local/sandbox/calls/checkout-create.ts';
import { cancel, capture, find, moveAmounts, moveCheckout, refund } from '#local/sandbox/calls/checkout-moves.ts';
import { checkoutView } from '#local/sandbox/calls/checkout-view.ts';
import type { ApiContext, CallOutcome, Params } from '#local/sandbox/calls/context.ts';
import { createCreditCard, creditCardView } from '#local/sandbox/calls/credit-cards.ts';
import { registerUser, userView } from '#local/sandbox/calls/users.ts';
import type { CheckoutRecord, CheckoutState } from '#local/sandbox/records.ts';
import { invalidParameter, unknownCall, WepayError } from '#local/sandbox/wepay-errors.ts';

export type { CallOutcome } from '#local/sandbox/calls/context.ts';

export class WepayApi {
  constructor(private readonly context: ApiContext) {}

  /** Runs one call; `path` is the part after /v2 (e.g. "/checkout/create"). */
  call(path: string, params: unknown, authorization: string | undefined): CallOutcome {
    try {
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw invalidParameter('the request body must be a JSON object');
      }
      return { status: 200, body: this.route(path, params as Params, authorization), headers: {} };
    } catch (error) {
      if (error instanceof WepayError) return { status: error.status, body: error.body, headers: error.headers };
      throw error;
    }
  }

  /** Moves a checkout to a state as WePay's back office would (lifecycle timers, /__sandbox/.../state). */
  moveCheckout(checkoutId: number, to: CheckoutState): CheckoutRecord | undefined {
    return moveCheckout(this.context, checkoutId, to);
  }

  /** Changes the amounts as a refund or chargeback made outside the platform would. */
  moveAmounts(checkoutId: number, amounts: { amount_refunded?: number; amount_charged_back?: number }): CheckoutRecord | undefined {
    return moveAmounts(this.context, checkoutId, amounts);
  }

  checkoutView(checkout: CheckoutRecord): Record<string, unknown> {
    return checkoutView(this.context, checkout);
  }

  private route(path: string, params: Params, authorization: string | undefined): unknown {
    const context = this.context;
    const caller = () => authenticate(context, authorization);
    switch (path) {
      case '/user/register':
        return registerUser(context, params, authorization);
      case '/user':
        return userView(context, caller());
      case '/account/create':
        return createAccount(context, params, caller());
      case '/account':
        return accountView(accountFor(context, caller(), params));
      case '/credit_card/create':
        return createCreditCard(context, params);
      case '/credit_card':
        return creditCardView(context, params);
      case '/checkout/create':
        return createCheckout(context, params, caller());
      case '/checkout/find':
        return find(context, accountFor(context, caller(), params), params);
      case '/checkout':
        return checkoutView(context, checkoutFor(context, caller(), params));
      case '/checkout/capture':
        return capture(context, checkoutFor(context, caller(), params));
      case '/checkout/cancel':
        return cancel(context, params, checkoutFor(context, caller(), params));
      case '/checkout/refund':
        return refund(context, params, checkoutFor(context, caller(), params));
      case '/batch/create':
        return batch(context, params, (p, body, auth) => this.call(p, body, auth));
      default:
        throw unknownCall(path);
    }
  }
}
