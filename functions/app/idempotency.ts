// Stripe-style idempotency for a principal's request keyed by its unique_id:
// the first request runs; the same request again replays its stored response;
// the same key with another request is refused; while the first is in flight
// others wait. An application concern: each use case names its operation and
// decides what outcome is stored (what `execute` returns, and the errors
// `storedFromError` turns into an answer, e.g. a card decline); HTTP only renders
// it (functions/http/idempotent-response.ts).
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
// writes meet all of it, with Powertools' call counts in AWS (our store asks for
// the refusing record too, and reads it only where dynalite leaves it out).
import { createHash } from 'node:crypto';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, PaymentsError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
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
  /** Whose key space: namespaceOf(principal). */
  namespace: string;
  uniqueId: string;
  /** The use case's name for the operation; with `input`, the request's fingerprint. */
  operation: string;
  input: unknown;
}

/** What the use case's work is told about this attempt. */
export interface Attempt {
  /** An earlier attempt of this very request was left without an outcome: it may have acted. */
  resumed: boolean;
}

/** The use case's outcome: what its caller renders, and what a replay answers. */
export interface Outcome {
  response: StoredResponse;
  /**
   * Work that needs the outcome recorded but not the answer stored (e.g. dropping a
   * creation intent): run alongside storing the answer, one round trip for both.
   */
  alongside?: () => Promise<void>;
  /**
   * The outcome's own records, not written yet: stored with the answer in one step, all or
   * nothing, where the store can (IdempotencyStore.completeWith). Where it cannot, or the
   * step is cancelled (nothing is then written), `stepwise` writes them one by one and gives
   * the outcome to store as usual.
   */
  unwritten?: { writes: readonly AtomicWrite[]; stepwise: () => Promise<Outcome> };
}

export interface IdempotentWork {
  execute: (attempt: Attempt) => Promise<Outcome>;
  /** An error worth replaying as an answer (a card decline: 402 again, never a second charge); undefined for the rest. */
  storedFromError?: (error: unknown) => StoredResponse | undefined;
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

/**
 * The key space a principal's unique_ids live in: a user's `sub`, or an
 * agent's mandate. The idempotency key and every id derived from a unique_id
 * (checkout id, provider unique_id, action id) use it.
 */
export function namespaceOf(principal: Pick<Principal, 'sub' | 'mandateId'>): string {
  return principal.mandateId ?? principal.sub;
}

/** The idempotency record's key: the one derivation. */
export function idempotencyKey(namespace: string, uniqueId: string): string {
  return JSON.stringify([namespace, uniqueId]);
}

export function fingerprintOf(operation: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, input })).digest('base64url');
}

/** True when the provider may have acted without our knowing: the key must stay bound. */
export function outcomeMayBeUnknown(error: unknown): boolean {
  return error instanceof ProviderUnavailableError || !(error instanceof PaymentsError);
}

/**
 * Claims the key (one call; a replay ends there), runs the work, stores its outcome.
 * Reads the work needs may be issued before calling this, so they share the claim's
 * round trip; a replay or a refusal simply leaves their results unused.
 */
export async function runIdempotently(
  deps: IdempotencyDeps,
  request: IdempotentRequest,
  work: IdempotentWork,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const key = idempotencyKey(request.namespace, request.uniqueId);
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
  const completion = () => ({ now: deps.clock.now(), retentionSeconds });
  let outcome: Outcome;
  try {
    outcome = await work.execute({ resumed: began.resumed });
    if (outcome.unwritten) {
      if (await deps.store.completeWith(key, began.lockToken, outcome.response, completion(), outcome.unwritten.writes)) {
        return { response: outcome.response, replayed: false };
      }
      outcome = await outcome.unwritten.stepwise();
    }
  } catch (error) {
    const stored = work.storedFromError?.(error);
    if (!stored) {
      if (outcomeMayBeUnknown(error)) await deps.store.abandon(key, began.lockToken);
      else await deps.store.release(key, began.lockToken);
      throw error;
    }
    outcome = { response: stored };
  }
  await Promise.all([
    deps.store.complete(key, began.lockToken, outcome.response, completion()),
    outcome.alongside?.(),
  ]);
  return { response: outcome.response, replayed: false };
}
