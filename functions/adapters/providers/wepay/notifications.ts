// WePay's IPN: a form body such as `checkout_id=12345` (plus `reference_id` when
// set), POSTed to the checkout's callback_uri. It carries no state and no
// signature: the checkout it names is always fetched with `/checkout` over HTTPS,
// and that fetch is what is trusted. Other fields WePay may add are ignored.
// WePay retries a notice that got no 200 at +15 min, +30 min, +1 h, +6 h, +12 h
// and +24 h (about 2 days): domain/ipn-route-secret-rotation.ts counts that in the
// time an old route token must stay accepted.
import { InvalidRequestError } from '#functions/domain/errors.ts';
import type { ProviderNotification } from '#functions/ports/payment-provider.ts';

/** WePay checkout ids are integers (at most 20 digits here). */
const wepayCheckoutId = /^\d{1,20}$/;

export function parseWePayNotification(body: Readonly<Record<string, unknown>>): ProviderNotification {
  const checkoutId = body['checkout_id'];
  if (checkoutId === undefined) throw new InvalidRequestError('parameter_missing', 'checkout_id is required', { param: 'checkout_id' });
  if (typeof checkoutId !== 'string' || !wepayCheckoutId.test(checkoutId)) {
    throw new InvalidRequestError('parameter_invalid', 'checkout_id must be a WePay checkout id', { param: 'checkout_id' });
  }
  return { checkoutId };
}
