// WePay's error bodies → the named domain errors, and what makes an outcome
// unknown (only a timeout, or 1008 with exactly the "unknown error" message).
import {
  CardDeclinedError,
  InvalidStateError,
  type PaymentsError,
  ProviderCredentialsRevokedError,
  ProviderError,
  ProviderRejectedError,
  RateLimitedError,
  UnknownCardTokenError,
} from '#functions/domain/errors.ts';
import { isObject, type WePayObject } from './checkout-object.ts';

/** WePay throttles per 10-second window; waiting one window is the earliest useful retry. */
export const WEPAY_THROTTLE_WINDOW_SECONDS = 10;

/** The 1008 message that means "outcome unknown, retry with the same unique_id" (anything else under 1008 is final). */
export const WEPAY_UNKNOWN_ERROR_MESSAGE = 'there was an unknown error - please contact for support';

export type AttemptOutcome =
  | { kind: 'answered'; body: Record<string, unknown> }
  | { kind: 'failed'; error: PaymentsError }
  | { kind: 'unknown'; reason: string };

export function isErrorBody(body: unknown): body is WePayObject {
  return isObject(body) && (body.error !== undefined || body.error_code !== undefined);
}

/**
 * A 1003 (invalid parameter) on /checkout/create about the card token. WePay documents no exact
 * wording for it, so this matches the parameter's name or "credit card" with a verdict; every other
 * 1003 (a unique_id reused with other parameters, say) stays a provider rejection.
 */
const unknownCardToken = /credit[ _.]?card[ _.]?id|credit card\b.*\b(?:not exist|not found|invalid|unknown)/i;

export function classifyWePayError(
  body: WePayObject,
  status: number,
  retryAfterHeader: string | null,
  secrets: string[],
  path: string,
): AttemptOutcome {
  const code = Number(body.error_code);
  const description = redact(typeof body.error_description === 'string' ? body.error_description : '', secrets).slice(0, 300);
  const failed = (error: PaymentsError): AttemptOutcome => ({ kind: 'failed', error });
  if (code === 1003 && (path === '/checkout/create' || path === '/credit_card') && unknownCardToken.test(description)) return failed(new UnknownCardTokenError(code));
  switch (code) {
    case 1008:
      if (description.trim().toLowerCase() === WEPAY_UNKNOWN_ERROR_MESSAGE) {
        return { kind: 'unknown', reason: 'WePay 1008 unknown error' };
      }
      // Every other 1008 is final: a decline must never be charged again.
      if (/unable to charge|declin/i.test(description)) return failed(new CardDeclinedError('The card was declined'));
      return failed(new ProviderRejectedError(`The payment provider could not process the call: ${description}`, code));
    case 1007:
      return failed(throttled(retryAfterHeader));
    case 4004:
      return failed(new InvalidStateError(description || "The checkout's state does not allow this action"));
    case 1011:
      return failed(new ProviderCredentialsRevokedError('The merchant must re-authorize with the payment provider: its access token was revoked'));
    case 1006:
      return failed(new ProviderError('Authentication with the payment provider failed'));
    default:
      if (!Number.isFinite(code)) {
        // An error without a code from a 5xx is the server failing, not a verdict on the call.
        if (status >= 500) return { kind: 'unknown', reason: `HTTP ${status} error without a code` };
        return failed(new ProviderError(`The payment provider refused the call: ${description || `HTTP ${status}`}`));
      }
      return failed(new ProviderRejectedError(`The payment provider rejected the call: ${description || `error ${code}`}`, code));
  }
}

export function throttled(retryAfterHeader: string | null): RateLimitedError {
  const header = Number(retryAfterHeader);
  const seconds = Number.isInteger(header) && header > 0 ? header : WEPAY_THROTTLE_WINDOW_SECONDS;
  return new RateLimitedError('The payment provider is throttling calls; retry later', seconds);
}

export function describeTransportFailure(error: unknown, secrets: string[]): string {
  if (!(error instanceof Error)) return 'transport failure';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return redact(`${error.name}: ${error.message}${code ? ` (${code})` : cause ? ` (${cause.message})` : ''}`, secrets);
}

/** Belt and braces: a provider message or a transport error must never carry a credential out. */
function redact(text: string, secrets: string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('[redacted]');
  return clean;
}
