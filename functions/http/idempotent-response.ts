// Renders what an idempotent use case answered (functions/app/idempotency.ts owns
// the key, the fingerprint and what is stored): the stored status and body, plus
// `Idempotent-Replayed: true` on a replay. Also how a checkout creation's
// outcome is presented, the one thing the use case asks of HTTP: the checkout as
// JSON, or a decline as the API's error body.
import type { CreationOutcome } from '#functions/app/checkouts.ts';
import type { StoredResponse } from '#functions/ports/idempotency-store.ts';
import { businessMetric, countMetric } from '#functions/observability.ts';
import { errorResponse } from './error-response.ts';
import type { RouteResponse } from './http-handler.ts';
import { checkoutJson } from './schemas/checkouts.ts';

export function idempotentResponse({ response, replayed }: { response: StoredResponse; replayed: boolean }): RouteResponse {
  if (replayed) countMetric(businessMetric.idempotentReplay);
  return { statusCode: response.statusCode, body: response.body, headers: replayed ? { 'Idempotent-Replayed': 'true' } : {} };
}

/** A creation's outcome as the 201 (or the 402 of a decline) that the request and its replays answer. */
export function creationResponse(requestId: string) {
  return (outcome: CreationOutcome): StoredResponse => {
    if (outcome.kind === 'created') return { statusCode: 201, body: checkoutJson(outcome.checkout) };
    countMetric(businessMetric.cardDeclined);
    const { statusCode, body } = errorResponse(outcome.error, requestId);
    return { statusCode, body };
  };
}
