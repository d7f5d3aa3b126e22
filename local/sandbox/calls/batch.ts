// /batch/create: up to 50 calls, each with its own `authorization` (an access
// token); batches do not nest. Each call inside is recorded like a top-level one.
import { checkClientSecret } from '#local/sandbox/calls/authorization.ts';
import type { ApiContext, CallOutcome, Params } from '#local/sandbox/calls/context.ts';
import { invalidParameter, missingParameter } from '#local/sandbox/wepay-errors.ts';

const MAX_BATCH_CALLS = 50;

export function batch(
  context: ApiContext,
  params: Params,
  call: (path: string, params: unknown, authorization: string | undefined) => CallOutcome,
): unknown {
  checkClientSecret(context, params);
  const calls = params['calls'];
  if (calls === undefined || calls === null) throw missingParameter('calls');
  if (!Array.isArray(calls)) throw invalidParameter('calls must be an array');
  if (calls.length > MAX_BATCH_CALLS) throw invalidParameter(`a batch holds at most ${MAX_BATCH_CALLS} calls`);
  const results = calls.map((entry: unknown) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Params;
    const rawCall = typeof item['call'] === 'string' ? item['call'] : '';
    const path = `/${rawCall.replace(/^\/+/, '').replace(/^v2\//, '')}`;
    const parameters = item['parameters'] ?? {};
    const token = typeof item['authorization'] === 'string' ? item['authorization'] : undefined;
    const outcome =
      path === '/batch/create'
        ? { status: 400, body: invalidParameter('batches do not nest').body, headers: {} }
        : call(path, parameters, token === undefined ? undefined : `Bearer ${token}`);
    context.recordBatchedCall(`/v2${path}`, (typeof parameters === 'object' && parameters !== null ? parameters : {}) as Params, outcome);
    return { call: rawCall, reference_id: item['reference_id'] ?? null, response: outcome.body };
  });
  return { calls: results };
}
