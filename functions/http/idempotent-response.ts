// Runs a route's work under idempotency and answers as the API contract says: a replay has
// the first response's status and body plus `Idempotent-Replayed: true`; a card
// decline is a response worth replaying (402 again, never a second charge); an
// unknown outcome (503) keeps the key bound for the retry that settles it; any
// other failure frees the key (app/idempotency.ts).
import { runIdempotently, type IdempotencyDeps } from '#functions/app/idempotency.ts';
import { CardDeclinedError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { businessMetric, countMetric } from '#functions/observability.ts';
import { errorResponse } from './error-response.ts';
import type { RouteResponse } from './http-handler.ts';

export async function idempotentResponse(
  deps: IdempotencyDeps,
  request: { principal: Principal; uniqueId: string; operation: string; input: unknown; requestId: string },
  execute: () => Promise<RouteResponse>,
): Promise<RouteResponse> {
  const { response, replayed } = await runIdempotently(
    deps,
    { principalSub: request.principal.sub, uniqueId: request.uniqueId, operation: request.operation, input: request.input },
    async () => {
      const { statusCode, body } = await execute();
      return { statusCode, body };
    },
    (error) => {
      if (!(error instanceof CardDeclinedError)) return undefined;
      countMetric(businessMetric.cardDeclined);
      const mapped = errorResponse(error, request.requestId);
      return { statusCode: mapped.statusCode, body: mapped.body };
    },
  );
  if (replayed) countMetric(businessMetric.idempotentReplay);
  return { statusCode: response.statusCode, body: response.body, headers: replayed ? { 'Idempotent-Replayed': 'true' } : {} };
}
