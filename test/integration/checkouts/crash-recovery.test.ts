// Crash safety of POST /v1/checkouts: a process that dies after the provider
// charged and before the idempotency record completed leaves an in-flight record
// whose lock expires; the next retry after that completes the same provider
// checkout, never a second one.
//
// How the crash is simulated, honestly and in-process: the test runs the very
// code the handler runs (createCheckoutOnce on the same validated body with the
// handler's renderer, so the fingerprint is the one an HTTP retry will compute) through the real adapters of the running local
// runtime: the DynamoDB idempotency store and checkout repository on its
// dynalite, the WePay client on its sandbox, its vault. Only two seams are
// wrapped: the provider, which after the sandbox really created the checkout
// throws a ProcessDied sentinel instead of returning (the process is gone:
// nothing after that line runs), and the store, whose complete() and release()
// throw the same sentinel without touching the table (a dead process neither
// completes nor frees its record). What is left in DynamoDB and at the provider
// is exactly what a Lambda killed at that instant leaves. The client's retries
// then go over HTTP to the real API. The lock (IDEMPOTENCY_LOCK_SECONDS, set before
// the runtime starts so the handlers read it too) is far longer than the tests: a
// retry is refused while it holds however slow the machine is, and "the lock has
// expired" is made so by moving the record's lock expiry into the past, as the
// passing of time would, rather than by sleeping past it.
import { checkoutIdFor, createCheckoutOnce, providerUniqueIdFor } from '#functions/app/checkouts.ts';
import { creationResponse } from '#functions/http/idempotent-response.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { createCheckoutInputFrom, createCheckoutRequest } from '#functions/http/schemas/checkouts.ts';
import type { IdempotencyStore } from '#functions/ports/idempotency-store.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';
import { config } from '#functions/config.ts';
import { idempotencyKey } from '#functions/app/idempotency.ts';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { waitFor } from '../../support/wait-for.ts';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

process.env.IDEMPOTENCY_LOCK_SECONDS = '600';
// The slow request of the takeover test is held 10 s at the provider: well within this timeout.
process.env.PROVIDER_TIMEOUT_MS = '60000';

class ProcessDied extends Error {
  override readonly name = 'ProcessDied';
}

let h: CheckoutHarness;
let payer: Principal;

beforeAll(async () => {
  h = await startCheckoutHarness();
  payer = { sub: await h.subOf('payer'), roles: ['payer'] };
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  await h.sandbox.clearFaults();
});

/** What time does to an in-flight record: its lock expires (the record is otherwise untouched). */
async function expireLock(uniqueId: string): Promise<void> {
  const { documentClient } = createDynamoDbClients({
    region: 'us-east-1',
    endpoint: config().tables.endpoint!,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await documentClient.send(
    new UpdateCommand({
      TableName: config().tables.idempotency,
      Key: { id: idempotencyKey(payer.sub, uniqueId) },
      UpdateExpression: 'SET lock_expires_at = :past',
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':past': Date.now() - 1, ':inProgress': 'in_progress' },
    }),
  );
}

function expectKeyInUse(reply: Reply) {
  expectApiError(reply, { status: 409, type: 'idempotency_error', code: 'idempotency_key_in_use', param: 'unique_id' });
  const retryAfter = Number(reply.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(5);
}

/**
 * The store as a dying process uses it: begin() is real, and completeWith() (which declines
 * locally: dynalite has no transactions); complete(), release() and abandon() never reach the table.
 */
function storeThatDiesBeforeFinishing(real: IdempotencyStore): IdempotencyStore {
  return {
    begin: (...args) => real.begin(...args),
    completeWith: (...args) => real.completeWith(...args),
    complete: async () => {
      throw new ProcessDied();
    },
    release: async () => {
      throw new ProcessDied();
    },
    abandon: async () => {
      throw new ProcessDied();
    },
  };
}

/** The provider as a dying process sees it: the call reaches the sandbox and commits; its answer is never used. */
function providerThatDiesAfterCharging(real: PaymentProvider): PaymentProvider {
  return new Proxy(real, {
    get(target, property) {
      if (property === 'createCheckout') {
        return async (...args: Parameters<PaymentProvider['createCheckout']>) => {
          await target.createCheckout(...args);
          throw new ProcessDied();
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Runs exactly what the checkouts-create handler runs for this body (the same use case and renderer), with the given seams. */
async function runCreateLikeTheHandler(rawBody: Record<string, unknown>, seams: { dyingStore?: boolean; dyingProvider?: boolean }) {
  const body = createCheckoutRequest.parse(rawBody);
  const idempotency = idempotencyDeps();
  const deps = await checkoutDeps();
  return createCheckoutOnce(
    {
      ...deps,
      provider: seams.dyingProvider ? providerThatDiesAfterCharging(deps.provider) : deps.provider,
      idempotency: { ...idempotency, store: seams.dyingStore ? storeThatDiesBeforeFinishing(idempotency.store) : idempotency.store },
    },
    { principal: payer, input: createCheckoutInputFrom(body), asReceived: body },
    creationResponse('req_crash_test'),
  );
}

describe('a process that dies mid-checkout', () => {
  test('dies after the provider charged, before anything was recorded: the retry after the lock expires completes the same provider checkout', async () => {
    const uniqueId = newUniqueId('crash-after-charge');
    const body = h.checkoutBody(uniqueId);
    const providerUniqueId = providerUniqueIdFor(payer.sub, uniqueId);

    await expect(runCreateLikeTheHandler(body, { dyingStore: true, dyingProvider: true })).rejects.toThrow(ProcessDied);
    // What the dead process left: a checkout at the provider, none of ours, and an in-flight key.
    const charged = await h.sandbox.checkoutIdsFor(providerUniqueId);
    expect(charged).toHaveLength(1);
    const ours = await h.call('GET', `/v1/checkouts/${checkoutIdFor(payer.sub, uniqueId)}`, { token: h.dev.tokens.payer });
    expect(ours.status).toBe(404);

    // A retry while the dead request's lock holds is told to come back later.
    expectKeyInUse(await h.createCheckout(body));
    await expireLock(uniqueId);
    const final = await h.createCheckout(body);
    expect(final.status).toBe(201);
    expect(final.headers['idempotent-replayed']).toBeUndefined();
    expect(final.body.id).toBe(checkoutIdFor(payer.sub, uniqueId));
    expect(final.body.provider.checkout_id).toBe(charged[0]);

    // Never a second checkout: the retry's call carried the same provider unique_id and got the original back.
    const calls = await h.sandbox.createCalls(providerUniqueId);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => String(c.checkout_id))).toEqual([charged[0], charged[0]]);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual(charged);

    const replay = await h.createCheckout(body);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(final.body);
  });

  test('dies after the checkout was recorded, before the idempotency record completed: the retry answers that checkout without calling the provider again', async () => {
    const uniqueId = newUniqueId('crash-after-record');
    const body = h.checkoutBody(uniqueId);
    const providerUniqueId = providerUniqueIdFor(payer.sub, uniqueId);

    await expect(runCreateLikeTheHandler(body, { dyingStore: true })).rejects.toThrow(ProcessDied);
    const recorded = await h.call('GET', `/v1/checkouts/${checkoutIdFor(payer.sub, uniqueId)}`, { token: h.dev.tokens.payer });
    expect(recorded.status).toBe(200);

    expectKeyInUse(await h.createCheckout(body));
    await expireLock(uniqueId);
    const final = await h.createCheckout(body);
    expect(final.status).toBe(201);
    expect(final.body).toEqual(recorded.body);
    // Our checkout record was found first: the provider was asked once in all.
    expect(await h.sandbox.createCalls(providerUniqueId)).toHaveLength(1);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([recorded.body.provider.checkout_id]);
  });

  test('after a crash, another body with the same unique_id is still 422 once the lock expired, and the original retry completes the charge', async () => {
    const uniqueId = newUniqueId('crash-then-other-body');
    const body = h.checkoutBody(uniqueId);
    const providerUniqueId = providerUniqueIdFor(payer.sub, uniqueId);

    await expect(runCreateLikeTheHandler(body, { dyingStore: true, dyingProvider: true })).rejects.toThrow(ProcessDied);
    const charged = await h.sandbox.checkoutIdsFor(providerUniqueId);
    expect(charged).toHaveLength(1);
    await expireLock(uniqueId);

    const other = await h.createCheckout(h.checkoutBody(uniqueId, { amount: 99_900 }));
    expectApiError(other, { status: 422, type: 'idempotency_error', code: 'idempotency_key_reused', param: 'unique_id' });

    const final = await h.createCheckout(body);
    expect(final.status).toBe(201);
    expect(final.body.provider.checkout_id).toBe(charged[0]);
    expect(final.body.amount).toBe(10_400);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual(charged);
  });

  test('a request still running when its lock expires: the retry that takes over reaches the same provider checkout, and both answer it', async () => {
    const uniqueId = newUniqueId('slow-takeover');
    const body = h.checkoutBody(uniqueId);
    const providerUniqueId = providerUniqueIdFor(payer.sub, uniqueId);
    // The first request's provider call answers after 10 s (under the timeout); its lock expires meanwhile.
    await h.sandbox.armFault({ delay_ms: 10_000 }, 1);
    const slow = h.createCheckout(body);
    // The fault is used up when the call reaches the provider: the first request holds the key by then.
    await waitFor(async () => (await h.sandbox.faults()).length === 0, 'the slow request to reach the provider');
    // Retried as a client would: a 409 while the lock still holds, then the takeover once it expired.
    expectKeyInUse(await h.createCheckout(body));
    await expireLock(uniqueId);
    const takeover = await h.createCheckout(body);
    expect(takeover.status).toBe(201);
    expect(takeover.headers['idempotent-replayed']).toBeUndefined();
    const original = await slow;
    expect(original.status).toBe(201);
    expect(original.body).toEqual(takeover.body);
    expect(await h.sandbox.checkoutIdsFor(providerUniqueId)).toEqual([takeover.body.provider.checkout_id]);

    const replay = await h.createCheckout(body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(takeover.body);
  });
});
