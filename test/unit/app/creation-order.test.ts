// The order of a creation's writes under idempotency (docs/money-movement.md "Call
// budget"), against in-memory ports: what a fresh, a replayed and a resumed attempt
// write, and that the creation intent outlives every write it stands for.
import { jest } from '@jest/globals';
import { checkoutIdFor, createCheckoutOnce, type CheckoutDeps, type CreateCheckoutInput } from '#functions/app/checkouts.ts';
import type { IdempotencyDeps } from '#functions/app/idempotency.ts';
import { recordCreate } from '#functions/app/velocity.ts';
import { VelocityLimitedError, withEvent } from '#functions/domain/velocity.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { BeginOutcome, IdempotencyStore } from '#functions/ports/idempotency-store.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import type { VelocityStore } from '#functions/ports/velocity-store.ts';
import { MemoryCheckouts } from '../../support/memory-checkouts.ts';
import { accountFixture, creationInputFixture, merchantsOf, providerCheckoutFixture } from '../../support/checkout-fixture.ts';

const now = Date.parse('2026-12-01T12:00:00Z');
const payer: Principal = { sub: 'payer-1', roles: ['payer'] };
const account = accountFixture();
const input: CreateCheckoutInput = { ...creationInputFixture(account, { autoCapture: true }), sourceIp: '203.0.113.7' };

/** `transactions`: the store's completeWith applies the checkout's writes with the answer, as DynamoDB does; otherwise it declines, as dynalite. */
function setup(began: BeginOutcome, { transactions = false } = {}) {
  const checkouts = new MemoryCheckouts();
  const counters = new Map<string, number[]>();
  const velocity: VelocityStore = {
    recent: async (keys) => new Map(keys.filter((k) => counters.has(k)).map((k) => [k, counters.get(k)!])),
    record: async (key, at, rule) => void counters.set(key, withEvent(counters.get(key) ?? [], at, rule)),
  };
  const merchants = merchantsOf(account);
  const createCall = jest.fn(async (_token: string, request: { accountId: string; uniqueId: string; amount: number }) => providerCheckoutFixture(request, { state: 'captured' }));
  const provider = { createCheckout: createCall } as unknown as PaymentProvider;
  const store: IdempotencyStore & { finished: string[] } = {
    finished: [],
    begin: async () => began,
    complete: async function () {
      store.finished.push('complete');
    },
    completeWith: async function (_key, _lock, _response, _options, writes) {
      store.finished.push('completeWith');
      return transactions && checkouts.applyCreatedWrites(writes);
    },
    release: async function () {
      store.finished.push('release');
    },
    abandon: async function () {
      store.finished.push('abandon');
    },
  };
  const idempotency: IdempotencyDeps = { store, clock: { now: () => now }, settings: { retentionSeconds: 86_400, lockSeconds: 60 } };
  const deps: CheckoutDeps & { idempotency: IdempotencyDeps } = {
    checkouts,
    merchants,
    provider,
    vault: { seal: async (t: string) => t, open: async () => 'token' },
    clock: { now: () => now },
    velocity: { store: velocity, clock: { now: () => now }, limits: { createsPerMinute: 3, declinesPerHour: 5, declinesPerCardPerDay: 10, createsPerIpPerMinute: 100 } },
    idempotency,
  };
  const create = () => createCheckoutOnce(deps, { principal: payer, input, asReceived: { unique_id: 'order-1' } }, (outcome) => ({ statusCode: 201, body: outcome }));
  return { deps, checkouts, store, createCall, counters, create };
}

/** The payer already made `count` checkouts this minute. */
async function fillCreates(s: ReturnType<typeof setup>, count: number) {
  for (let i = 0; i < count; i++) await recordCreate(s.deps.velocity!, { payer: payer.sub, cardToken: 'card-1', sourceIp: '203.0.113.7' });
}

const id = checkoutIdFor(payer.sub, 'order-1');

describe('a creation under idempotency', () => {
  test('a fresh attempt over its velocity limit is refused before anything is written, and frees its key', async () => {
    const s = setup({ kind: 'acquired', lockToken: 'l', resumed: false });
    await fillCreates(s, 3);
    await expect(s.create()).rejects.toBeInstanceOf(VelocityLimitedError);
    expect(s.checkouts.creations.size).toBe(0);
    expect(s.createCall).not.toHaveBeenCalled();
    expect(s.store.finished).toEqual(['release']);
  });

  test('a replay answers from the claim: nothing is written, the provider is not called', async () => {
    const stored = { statusCode: 201, body: { id } };
    const s = setup({ kind: 'completed', response: stored });
    expect(await s.create()).toEqual({ response: stored, replayed: true });
    expect(s.checkouts.items.size + s.checkouts.creations.size + s.checkouts.watched.size).toBe(0);
    expect(s.createCall).not.toHaveBeenCalled();
  });

  test('a fresh attempt writes the checkout and its watch entry, then drops its intent, and is counted once', async () => {
    const s = setup({ kind: 'acquired', lockToken: 'l', resumed: false });
    const result = await s.create();
    expect(result.response.statusCode).toBe(201);
    expect(s.checkouts.items.has(id)).toBe(true);
    expect(s.checkouts.watched.has(id)).toBe(true);
    expect(s.checkouts.creations.size).toBe(0);
    expect([...s.counters.values()].map((events) => events.length)).toEqual([1, 1]);
    expect(s.store.finished).toEqual(['completeWith', 'complete']);
  });

  test('in AWS, the checkout, its watch entry and the intent\'s removal go with the stored answer, in one step', async () => {
    const s = setup({ kind: 'acquired', lockToken: 'l', resumed: false }, { transactions: true });
    s.checkouts.create = async () => {
      throw new Error('written one by one');
    };
    const result = await s.create();
    expect(result.response.statusCode).toBe(201);
    expect(s.checkouts.items.has(id)).toBe(true);
    expect(s.checkouts.watched.has(id)).toBe(true);
    expect(s.checkouts.creations.size).toBe(0);
    expect(s.store.finished).toEqual(['completeWith']);
  });

  test('in AWS, a transaction refused because the checkout was stored meanwhile (the reconciler) answers the stored one, step by step', async () => {
    const s = setup({ kind: 'acquired', lockToken: 'l', resumed: false }, { transactions: true });
    const apply = s.checkouts.applyCreatedWrites.bind(s.checkouts);
    s.checkouts.applyCreatedWrites = (writes) => {
      const { created } = (writes as unknown as { created: Checkout }[])[0]!;
      s.checkouts.items.set(created.id, { ...created, createdAt: 'by the reconciler' });
      return apply(writes);
    };
    const result = await s.create();
    expect((result.response.body as { checkout: Checkout }).checkout.createdAt).toBe('by the reconciler');
    expect(s.checkouts.watched.has(id)).toBe(true);
    expect(s.checkouts.creations.size).toBe(0);
    expect(s.store.finished).toEqual(['completeWith', 'complete']);
  });

  test.each(['create', 'watch'] as const)('while the checkout or its watch entry is unwritten (%s fails), the creation intent stays for whoever settles it', async (write) => {
    const s = setup({ kind: 'acquired', lockToken: 'l', resumed: false });
    s.checkouts[write] = async () => {
      throw new Error('DynamoDB unavailable');
    };
    await expect(s.create()).rejects.toThrow('DynamoDB unavailable');
    expect(s.checkouts.creations.has(id)).toBe(true);
    // The provider may have charged: the key stays bound for the retry.
    expect(s.store.finished).toEqual(['completeWith', 'abandon']);
  });

  test('a resumed attempt that finds the reconciler settled the creation after it looked answers the record: no provider call, not counted again', async () => {
    const first = setup({ kind: 'acquired', lockToken: 'l', resumed: false });
    await first.create();
    const recorded = first.checkouts.items.get(id)!;
    const retry = setup({ kind: 'acquired', lockToken: 'l2', resumed: true });
    const get = retry.checkouts.get.bind(retry.checkouts);
    let reads = 0;
    retry.checkouts.get = async (checkoutId) => {
      reads += 1;
      // The first read misses; the reconciler then records the checkout and drops the intent.
      if (reads === 1) {
        retry.checkouts.items.set(checkoutId, recorded);
        return undefined;
      }
      return get(checkoutId);
    };
    const result = await retry.create();
    expect((result.response.body as { checkout: { id: string } }).checkout.id).toBe(id);
    expect(retry.createCall).not.toHaveBeenCalled();
    expect(retry.counters.size).toBe(0);
    expect(retry.checkouts.creations.size).toBe(0);
  });

  test('an attempt resuming an earlier one answers the checkout that one recorded, writes what it may have left out, and never calls the provider again', async () => {
    const first = setup({ kind: 'acquired', lockToken: 'l', resumed: false });
    first.checkouts.watch = async () => {
      throw new Error('crashed');
    };
    await expect(first.create()).rejects.toThrow('crashed');
    const retry = setup({ kind: 'acquired', lockToken: 'l2', resumed: true });
    for (const [key, value] of first.checkouts.items) retry.checkouts.items.set(key, value);
    for (const [key, value] of first.checkouts.creations) retry.checkouts.creations.set(key, value);
    const result = await retry.create();
    expect((result.response.body as { checkout: { id: string } }).checkout.id).toBe(id);
    expect(retry.createCall).not.toHaveBeenCalled();
    expect(retry.checkouts.watched.has(id)).toBe(true);
    expect(retry.checkouts.creations.size).toBe(0);
    // A retry is neither limited nor counted again.
    expect(retry.counters.size).toBe(0);
  });
});
