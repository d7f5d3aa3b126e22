// A process that dies between two steps of an action (intent written / provider
// called / outcome written / answer stored): the client's retry with the same
// unique_id ends with the provider having acted exactly once and a 200 saying so.
// As in crash-recovery.test.ts, the test runs exactly what the action handler runs
// (performCheckoutActionOnce on the same validated body, so the HTTP retry computes
// the same fingerprint) through the running
// runtime's real adapters, with seams that throw ProcessDied where the process
// dies: a dead process neither completes, frees nor abandons its idempotency key.
import { jest } from '@jest/globals';
import { performCheckoutActionOnce, type CheckoutActionInput } from '#functions/app/checkouts.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { cancelCheckoutRequest, captureCheckoutRequest, refundCheckoutRequest } from '#functions/http/schemas/checkouts.ts';
import type { IdempotencyStore } from '#functions/ports/idempotency-store.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';
import { moneyRuntime } from '../../support/money-runtime.ts';
import { newUniqueId } from './checkout-harness.ts';
import { providerPath, type Action } from './money-harness.ts';

const { h, m } = moneyRuntime({ IDEMPOTENCY_LOCK_SECONDS: '1' }, { clearFaultsAfterEach: false });

class ProcessDied extends Error {
  override readonly name = 'ProcessDied';
}
const die = async () => {
  throw new ProcessDied();
};


let merchant: Principal;
beforeAll(async () => {
  merchant = { sub: await h.subOf('merchant'), roles: ['merchant'] };
});

// completeWith declines locally (dynalite has no transactions): the crash comes at complete().
const dyingStore = (real: IdempotencyStore): IdempotencyStore => ({ begin: (...args) => real.begin(...args), completeWith: (...args) => real.completeWith(...args), complete: die, release: die, abandon: die });

const schemas = { capture: captureCheckoutRequest, cancel: cancelCheckoutRequest, refund: refundCheckoutRequest };
type CrashPoint = 'after intent' | 'after the provider call' | 'after the outcome';

/** Runs what the action's handler runs, dying at `crash`. */
async function runActionAndDie(action: Action, checkoutId: string, rawBody: Record<string, unknown>, crash: CrashPoint) {
  const body = schemas[action].parse(rawBody) as { unique_id: string; reason?: string; amount?: number };
  const idempotency = idempotencyDeps();
  const input: CheckoutActionInput = {
    action,
    uniqueId: body.unique_id,
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    ...(body.amount === undefined ? {} : { amount: body.amount }),
  };
  const deps = await checkoutDeps();
  return performCheckoutActionOnce(
    { ...deps, idempotency: { ...idempotency, store: dyingStore(idempotency.store) } },
    {
      principal: merchant,
      checkoutId,
      input,
      asReceived: body,
      hooks: {
        ...(crash === 'after intent' ? { afterIntent: die } : {}),
        ...(crash === 'after the provider call' ? { afterProviderCall: die } : {}),
      },
    },
    (checkout) => ({ statusCode: 200, body: checkout }),
  );
}

const crashPoints: CrashPoint[] = ['after intent', 'after the provider call', 'after the outcome'];
const cases = (['capture', 'cancel', 'refund'] as const).flatMap((action) => crashPoints.map((crash) => [action, crash] as const));

describe('a process that dies mid-action', () => {
  test.each(cases)('%s, dying %s: the retry ends with the provider having acted exactly once', async (action, crash) => {
    const checkout = await m.checkoutIn(action === 'refund' ? 'captured' : 'authorized');
    const providerId = checkout.provider.checkout_id;
    const body =
      action === 'capture'
        ? { unique_id: newUniqueId(action) }
        : action === 'cancel'
          ? { unique_id: newUniqueId(action), reason: 'Out of stock' }
          : { unique_id: newUniqueId(action), reason: 'Spilled', amount: 2_500 };

    await expect(runActionAndDie(action, checkout.id, body, crash)).rejects.toThrow(ProcessDied);
    const actedBefore = (await m.actedCalls(providerPath[action], providerId)).length;
    expect(actedBefore).toBe(crash === 'after intent' ? 0 : 1);

    const { final } = await m.untilSettled(() => m.act(action, checkout.id, body));
    expect(final.status).toBe(200);
    expect(await m.actedCalls(providerPath[action], providerId)).toHaveLength(1);
    const provider = await m.atProvider(providerId);
    expect(final.body).toMatchObject({ state: provider.state, amount_refunded: provider.amountRefunded });
    if (action === 'refund') {
      expect(provider.amountRefunded).toBe(2_500);
      expect(final.body.refunds).toEqual([expect.objectContaining({ amount: 2_500, state: 'succeeded' })]);
    }
  });
});
