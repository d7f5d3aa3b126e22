// `/batch/create`: up to 50 checkout reads in one call against WePay's throttle,
// each with the token of the merchant owning the checkout.
import { ProviderError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { ProviderCheckout } from '#functions/ports/payment-provider.ts';
import { isObject, providerId, toProviderCheckout, type WePayObject } from './checkout-object.ts';
import { WEPAY_MAX_BATCH_CALLS } from './checkouts.ts';
import { classifyWePayError, isErrorBody } from './errors.ts';
import type { WePayTransport } from './transport.ts';

export async function getCheckouts(
  wire: WePayTransport,
  reads: readonly { accessToken: string; checkoutId: string }[],
): Promise<(ProviderCheckout | Error)[]> {
  if (reads.length === 0) return [];
  if (reads.length > WEPAY_MAX_BATCH_CALLS) throw new RangeError(`A batch holds at most ${WEPAY_MAX_BATCH_CALLS} calls`);
  const app = await wire.credentials();
  const body = await wire.call('/batch/create', app.appAccessToken, {
    client_id: providerId(app.clientId),
    client_secret: app.clientSecret,
    calls: reads.map((read, index) => ({
      call: '/checkout',
      authorization: read.accessToken,
      reference_id: String(index),
      parameters: { checkout_id: providerId(read.checkoutId) },
    })),
  }, { kind: 'idempotent' }, [app.clientSecret, ...reads.map((read) => read.accessToken)]);
  const calls = Array.isArray(body.calls) ? body.calls : [];
  return reads.map((_, index) => {
    const answer = calls.find((c): c is WePayObject => isObject(c) && String(c.reference_id) === String(index));
    const response = answer && isObject(answer.response) ? answer.response : undefined;
    if (!response) return new ProviderError('The payment provider left a batched read unanswered');
    if (isErrorBody(response)) {
      const outcome = classifyWePayError(response, 400, null, [], '/checkout');
      return outcome.kind === 'failed' ? outcome.error : new ProviderUnavailableError('A batched read failed; read again later');
    }
    try {
      return toProviderCheckout(response);
    } catch (error) {
      return error as Error;
    }
  });
}
