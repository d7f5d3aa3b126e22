// Stripe-style idempotency for a principal's request keyed by its unique_id:
// the first request runs; the same request again replays its stored response;
// the same key with another request is refused; while the first is in flight
// others wait. Only outcomes worth replaying are stored (what `execute` returns,
// and the errors `storedFromError` turns into a response, e.g. a card decline).
// A failure that leaves the provider's outcome unknown (503 provider_unavailable,
// or an unexpected error) keeps the key bound to this request, without a stored
// response: its retry (same unique_id, same body) takes it over at once and runs
// a path that settles what happened (the provider unique_id of a creation, the
// recorded intent of an action) rather than acting again; another body is 422.
// Any other failure (nothing happened: a refusal, a busy checkout) frees the key.
//
// Why not @aws-lambda-powertools/idempotency: the API contract needs 409 with a Retry-After
// taken from the lock (Powertools' in-progress error does not expose the record),
// a lock that expires on its own schedule (Powertools ties it to the Lambda's
// remaining time), and its DynamoDB layer relies on ReturnValuesOnConditionCheckFailure,
// which dynalite does not implement. The same table design and conditional
// writes, 100 lines here, meet all of it.
import { createHash } from 'node:crypto';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, PaymentsError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { IdempotencyStore, StoredResponse } from '#functions/ports/idempotency-store.ts';

export interface IdempotencySettings {
  retentionSeconds: number;
  lockSeconds: number;
}

export interface IdempotencyDeps {
  store: IdempotencyStore;
  clock: Clock;
  settings: IdempotencySettings;
}

export interface IdempotentRequest {
  principalSub: string;
  uniqueId: string;
  /** The operation and its validated input: together, the request's fingerprint. */
  operation: string;
  input: unknown;
}

/** Longest Retry-After we suggest while a request is in flight: most finish in a second or two. */
const maxRetryAfterSeconds = 5;

/** JSON with sorted keys, so that key order does not change a fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function idempotencyKey(principalSub: string, uniqueId: string): string {
  return JSON.stringify([principalSub, uniqueId]);
}

export function fingerprintOf(operation: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, input })).digest('base64url');
}

/** True when the provider may have acted without our knowing: the key must stay bound. */
export function outcomeMayBeUnknown(error: unknown): boolean {
  return error instanceof ProviderUnavailableError || !(error instanceof PaymentsError);
}

export async function runIdempotently(
  deps: IdempotencyDeps,
  request: IdempotentRequest,
  execute: () => Promise<StoredResponse>,
  storedFromError: (error: unknown) => StoredResponse | undefined,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const key = idempotencyKey(request.principalSub, request.uniqueId);
  const fingerprint = fingerprintOf(request.operation, request.input);
  const { retentionSeconds, lockSeconds } = deps.settings;
  const began = await deps.store.begin(key, fingerprint, { now: deps.clock.now(), lockMs: lockSeconds * 1000, retentionSeconds });
  switch (began.kind) {
    case 'completed':
      return { response: began.response, replayed: true };
    case 'fingerprint_mismatch':
      throw new IdempotencyKeyReusedError();
    case 'in_progress': {
      const remainingSeconds = Math.ceil((began.lockExpiresAt - deps.clock.now()) / 1000);
      throw new IdempotencyKeyInUseError(Math.max(1, Math.min(maxRetryAfterSeconds, remainingSeconds)));
    }
    case 'acquired':
      break;
  }
  let response: StoredResponse;
  try {
    response = await execute();
  } catch (error) {
    const stored = storedFromError(error);
    if (!stored) {
      if (outcomeMayBeUnknown(error)) await deps.store.abandon(key, began.lockToken);
      else await deps.store.release(key, began.lockToken);
      throw error;
    }
    response = stored;
  }
  await deps.store.complete(key, began.lockToken, response, { now: deps.clock.now(), retentionSeconds });
  return { response, replayed: false };
}
