// The three checkout actions share one handler shape: the action use case, run once
// per unique_id (app/checkout-actions.ts), the checkout as the answer.
import type { CheckoutDeps } from '#functions/app/checkout-records.ts';
import { performCheckoutActionOnce } from '#functions/app/checkouts.ts';
import type { IdempotencyDeps } from '#functions/app/idempotency.ts';
import type { CheckoutAction } from '#functions/domain/checkout-state.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { idempotentResponse } from '#functions/http/idempotent-response.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutRoutes } from '#functions/routes/checkouts.ts';

/** The composition root's parts come in from the handler file, so this layer never imports wiring. */
export interface CheckoutActionWiring {
  checkoutDeps: () => Promise<CheckoutDeps>;
  idempotencyDeps: () => IdempotencyDeps;
}

export function checkoutActionHandler<A extends CheckoutAction>(action: A, { checkoutDeps, idempotencyDeps }: CheckoutActionWiring) {
  return httpHandler(checkoutRoutes, `checkouts.${action}`, async ({ body, principal, pathParameters, requestId }) => {
    const id = pathParameters.id ?? '';
    // Every action route requires a token (routes.ts), so the pipeline always sets the principal.
    const caller = principal as Principal;
    const fields = body as { unique_id: string; reason?: string; amount?: number };
    const input = {
      action,
      uniqueId: fields.unique_id,
      ...(fields.reason === undefined ? {} : { reason: fields.reason }),
      ...(fields.amount === undefined ? {} : { amount: fields.amount }),
    };
    const result = await performCheckoutActionOnce(
      { ...(await checkoutDeps()), idempotency: idempotencyDeps() },
      { principal: caller, checkoutId: id, input, asReceived: body },
      (checkout) => ({ statusCode: 200, body: checkoutJson(checkout) }),
    );
    return idempotentResponse(result);
  });
}
