// runIdempotently against a scripted store: which outcome of begin() leads to
// which answer, what is stored, what frees the key, and the fingerprint rules.
import { jest } from '@jest/globals';
import { canonicalJson, fingerprintOf, idempotencyKey, namespaceOf, runIdempotently, type Attempt, type IdempotencyDeps } from '#functions/app/idempotency.ts';
import { CardDeclinedError, CheckoutBusyError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import type { BeginOutcome, IdempotencyStore, StoredResponse } from '#functions/ports/idempotency-store.ts';

const now = Date.UTC(2025, 0, 1, 12);

/** `atomic`: what completeWith() does; by default it declines, as locally (dynalite has no transactions). */
function scriptedStore(outcome: BeginOutcome, atomic: () => Promise<boolean> = async () => false) {
  const calls: { method: string; args: unknown[] }[] = [];
  const store: IdempotencyStore = {
    begin: async (...args) => {
      calls.push({ method: 'begin', args });
      return outcome;
    },
    complete: async (...args) => {
      calls.push({ method: 'complete', args });
    },
    completeWith: async (...args) => {
      calls.push({ method: 'completeWith', args });
      return atomic();
    },
    release: async (...args) => {
      calls.push({ method: 'release', args });
    },
    abandon: async (...args) => {
      calls.push({ method: 'abandon', args });
    },
  };
  return { store, calls };
}

const depsWith = (store: IdempotencyStore, settings = { retentionSeconds: 86_400, lockSeconds: 60 }): IdempotencyDeps => ({
  store,
  clock: { now: () => now },
  settings,
});

const request = { namespace: 'payer-1', uniqueId: 'order-1', operation: 'checkouts.create', input: { amount: 100, currency: 'USD' } };
const created: StoredResponse = { statusCode: 201, body: { id: 'chk_1' } };
const noStoredErrors = () => undefined;

/** The work as a plain function: its response is the outcome, and some errors may be stored. */
const run = (
  deps: IdempotencyDeps,
  req: typeof request,
  execute: (attempt: Attempt) => Promise<StoredResponse>,
  storedFromError: (error: unknown) => StoredResponse | undefined,
) => runIdempotently(deps, req, { execute: async (attempt) => ({ response: await execute(attempt) }), storedFromError });

describe('runIdempotently', () => {
  test('the first request runs, and its response is stored against the lock it took, with the retention', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-1', resumed: false });
    const execute = jest.fn(async () => created);
    const result = await run(depsWith(store), request, execute, noStoredErrors);
    expect(result).toEqual({ response: created, replayed: false });
    expect(execute).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([
      { method: 'begin', args: [idempotencyKey('payer-1', 'order-1'), fingerprintOf('checkouts.create', request.input), { now, lockMs: 60_000, retentionSeconds: 86_400 }] },
      { method: 'complete', args: [idempotencyKey('payer-1', 'order-1'), 'lock-1', created, { now, retentionSeconds: 86_400 }] },
    ]);
  });

  test('a completed key replays the stored response without running anything', async () => {
    const stored: StoredResponse = { statusCode: 402, body: { error: { code: 'card_declined' } } };
    const { store, calls } = scriptedStore({ kind: 'completed', response: stored });
    const execute = jest.fn(async () => created);
    expect(await run(depsWith(store), request, execute, noStoredErrors)).toEqual({ response: stored, replayed: true });
    expect(execute).not.toHaveBeenCalled();
    expect(calls.map((c) => c.method)).toEqual(['begin']);
  });

  test('a key used with another request is refused with idempotency_key_reused', async () => {
    const { store } = scriptedStore({ kind: 'fingerprint_mismatch' });
    const execute = jest.fn(async () => created);
    await expect(run(depsWith(store), request, execute, noStoredErrors)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(execute).not.toHaveBeenCalled();
  });

  test.each([
    [400, 1], // rounds up, and never 0
    [2_100, 3],
    [60_000, 5], // capped: most requests finish in a second or two
    [-1_000, 1], // an expired lock the store still reported
  ])('a key in flight for %i ms more is idempotency_key_in_use with Retry-After %i', async (remainingMs, retryAfter) => {
    const { store } = scriptedStore({ kind: 'in_progress', lockExpiresAt: now + remainingMs });
    const error = await run(depsWith(store), request, async () => created, noStoredErrors).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyInUseError);
    expect((error as IdempotencyKeyInUseError).retryAfterSeconds).toBe(retryAfter);
  });

  test('a failure worth replaying (a decline) is stored as the response and replayed later', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-2', resumed: false });
    const declined: StoredResponse = { statusCode: 402, body: { error: { code: 'card_declined' } } };
    const result = await run(
      depsWith(store),
      request,
      async () => {
        throw new CardDeclinedError('declined');
      },
      (error) => (error instanceof CardDeclinedError ? declined : undefined),
    );
    expect(result).toEqual({ response: declined, replayed: false });
    expect(calls.map((c) => c.method)).toEqual(['begin', 'complete']);
    expect(calls[1]!.args[2]).toEqual(declined);
  });

  test('an unknown outcome (provider_unavailable) keeps the key bound to this request, without a response, for its retry to settle', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-3', resumed: false });
    const unavailable = new ProviderUnavailableError();
    await expect(
      run(depsWith(store), request, async () => {
        throw unavailable;
      }, noStoredErrors),
    ).rejects.toBe(unavailable);
    expect(calls.map((c) => c.method)).toEqual(['begin', 'abandon']);
    expect(calls[1]!.args).toEqual([idempotencyKey('payer-1', 'order-1'), 'lock-3']);
  });

  test('an unexpected error (the provider may have acted) keeps the key bound too', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-5', resumed: false });
    await expect(run(depsWith(store), request, async () => {
      throw new TypeError('bug');
    }, noStoredErrors)).rejects.toBeInstanceOf(TypeError);
    expect(calls.map((c) => c.method)).toEqual(['begin', 'abandon']);
  });

  test('a failure that proves nothing happened (a refusal) frees the key and is rethrown: nothing is cached', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-6', resumed: false });
    const busy = new CheckoutBusyError(2);
    await expect(run(depsWith(store), request, async () => {
      throw busy;
    }, noStoredErrors)).rejects.toBe(busy);
    expect(calls.map((c) => c.method)).toEqual(['begin', 'release']);
    expect(calls[1]!.args).toEqual([idempotencyKey('payer-1', 'order-1'), 'lock-6']);
  });

  test('the work is told whether it took over an earlier attempt of the same request', async () => {
    for (const resumed of [false, true]) {
      const { store } = scriptedStore({ kind: 'acquired', lockToken: 'lock-7', resumed });
      const execute = jest.fn(async (_attempt: Attempt) => created);
      await run(depsWith(store), request, execute, noStoredErrors);
      expect(execute).toHaveBeenCalledWith({ resumed });
    }
  });

  test('work alongside the outcome runs together with storing the answer, after the work itself', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-8', resumed: false });
    const order: string[] = [];
    const result = await runIdempotently(depsWith(store), request, {
      execute: async () => {
        order.push('execute');
        return { response: created, alongside: async () => void order.push(`alongside after ${calls.length} store calls`) };
      },
    });
    expect(result).toEqual({ response: created, replayed: false });
    // complete() was issued before alongside ran: both in one round trip.
    expect(order).toEqual(['execute', 'alongside after 2 store calls']);
    expect(calls.map((c) => c.method)).toEqual(['begin', 'complete']);
  });

  describe('an outcome whose records are left unwritten', () => {
    const writes = [{ checkout: 'chk_1' }] as unknown as AtomicWrite[];
    const stepwiseOutcome: StoredResponse = { statusCode: 201, body: { id: 'chk_1', stored: 'before' } };
    const work = (order: string[]) => ({
      execute: async () => ({
        response: created,
        unwritten: {
          writes,
          stepwise: async () => {
            order.push('stepwise');
            return { response: stepwiseOutcome, alongside: async () => void order.push('alongside') };
          },
        },
      }),
    });

    test('goes with the answer in one step where the store can: no complete(), nothing written step by step', async () => {
      const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-9', resumed: false }, async () => true);
      const order: string[] = [];
      expect(await runIdempotently(depsWith(store), request, work(order))).toEqual({ response: created, replayed: false });
      expect(calls).toEqual([
        expect.objectContaining({ method: 'begin' }),
        { method: 'completeWith', args: [idempotencyKey('payer-1', 'order-1'), 'lock-9', created, { now, retentionSeconds: 86_400 }, writes] },
      ]);
      expect(order).toEqual([]);
    });

    test('where the store declines (locally, or a condition refused), is written step by step and that outcome stored', async () => {
      const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-10', resumed: false });
      const order: string[] = [];
      expect(await runIdempotently(depsWith(store), request, work(order))).toEqual({ response: stepwiseOutcome, replayed: false });
      expect(calls.map((c) => c.method)).toEqual(['begin', 'completeWith', 'complete']);
      expect(calls[2]!.args[2]).toEqual(stepwiseOutcome);
      expect(order).toEqual(['stepwise', 'alongside']);
    });

    test('a failed step (its outcome unknown) keeps the key bound for the retry to settle', async () => {
      const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-11', resumed: false }, async () => {
        throw new Error('socket hang up');
      });
      await expect(runIdempotently(depsWith(store), request, work([]))).rejects.toThrow('socket hang up');
      expect(calls.map((c) => c.method)).toEqual(['begin', 'completeWith', 'abandon']);
    });
  });

  test('the lock and retention come from the settings', async () => {
    const { store, calls } = scriptedStore({ kind: 'acquired', lockToken: 'lock-4', resumed: false });
    await run(depsWith(store, { retentionSeconds: 172_800, lockSeconds: 1 }), request, async () => created, noStoredErrors);
    expect(calls[0]!.args[2]).toEqual({ now, lockMs: 1_000, retentionSeconds: 172_800 });
    expect(calls[1]!.args[3]).toEqual({ now, retentionSeconds: 172_800 });
  });
});

describe('keys and fingerprints', () => {
  test("a user's namespace is their sub, an agent's its mandate", () => {
    expect(namespaceOf({ sub: 'payer-1' })).toBe('payer-1');
    expect(namespaceOf({ sub: 'payer-1', mandateId: 'mdt_1' })).toBe('mdt_1');
  });

  test('the key is (sub, unique_id): another principal with the same unique_id is another key, and no separator can be forged', () => {
    expect(idempotencyKey('payer-1', 'order-1')).not.toBe(idempotencyKey('payer-2', 'order-1'));
    expect(idempotencyKey('a', 'b:c')).not.toBe(idempotencyKey('a:b', 'c'));
    expect(idempotencyKey('a', '"b"')).not.toBe(idempotencyKey('a","b', ''));
  });

  test('key order and undefined fields do not change a fingerprint', () => {
    const a = { amount: 100, fee: { app_fee: 0, fee_payer: 'payee_from_app' }, reference_id: undefined };
    const b = { fee: { fee_payer: 'payee_from_app', app_fee: 0 }, amount: 100 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(fingerprintOf('checkouts.create', a)).toBe(fingerprintOf('checkouts.create', b));
  });

  test('any field value, array order, or the operation changes the fingerprint', () => {
    const base = fingerprintOf('checkouts.create', { amount: 100, items: [1, 2] });
    expect(fingerprintOf('checkouts.create', { amount: 101, items: [1, 2] })).not.toBe(base);
    expect(fingerprintOf('checkouts.create', { amount: 100, items: [2, 1] })).not.toBe(base);
    expect(fingerprintOf('checkouts.create', { amount: '100', items: [1, 2] })).not.toBe(base);
    expect(fingerprintOf('checkouts.capture:chk_1', { amount: 100, items: [1, 2] })).not.toBe(base);
    // An action's operation names its checkout: the same body on another checkout is another request.
    expect(fingerprintOf('checkouts.capture:chk_1', { unique_id: 'k' })).not.toBe(fingerprintOf('checkouts.capture:chk_2', { unique_id: 'k' }));
  });
});
