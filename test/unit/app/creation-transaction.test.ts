// A new checkout's writes stored with its answer in one transaction (AWS), under generated
// interleavings: concurrent copies of the request, transactions that commit, are refused,
// or whose answer is lost before or after they commit, the reconciler settling intents
// between any two steps, and clients retrying every 409 and unknown outcome. Whatever
// happens, once every client has its 201:
//   - the provider holds one checkout for the unique_id, and we record exactly it, watched;
//   - when a 201 is answered, the checkout it names is stored and watched already;
//   - every 201 answered, and the stored answer replayed, names that checkout;
//   - no creation intent is left, with or without a reconciliation pass.
import fc from 'fast-check';
import { checkoutFromProvider, checkoutIdFor, createCheckoutOnce, recordCreated, type CheckoutDeps } from '#functions/app/checkouts.ts';
import type { IdempotencyDeps } from '#functions/app/idempotency.ts';
import { IdempotencyKeyInUseError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import type { BeginOutcome, IdempotencyStore, StoredResponse } from '#functions/ports/idempotency-store.ts';
import type { PaymentProvider, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import { accountFixture, creationInputFixture, merchantsOf, providerCheckoutFixture } from '../../support/checkout-fixture.ts';
import { MemoryCheckouts } from '../../support/memory-checkouts.ts';

/** What a completeWith() call meets: DynamoDB commits, refuses (a conflict), or its answer is lost before or after the commit. */
type TransactionFate = 'commits' | 'refused' | 'lost before commit' | 'lost after commit';

interface IdempotencyRecord {
  fingerprint: string;
  lockToken?: string;
  lockExpiresAt: number;
  response?: StoredResponse;
}

/** The idempotency store's contract in memory, with DynamoDB's transaction applied to MemoryCheckouts. */
class MemoryIdempotency implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  private tokens = 0;
  constructor(
    private readonly checkouts: MemoryCheckouts,
    private readonly fates: TransactionFate[],
  ) {}

  async begin(key: string, fingerprint: string, { now, lockMs }: { now: number; lockMs: number }): Promise<BeginOutcome> {
    const record = this.records.get(key);
    if (record && record.fingerprint !== fingerprint) return { kind: 'fingerprint_mismatch' };
    if (record?.response) return { kind: 'completed', response: record.response };
    if (record && record.lockExpiresAt >= now) return { kind: 'in_progress', lockExpiresAt: record.lockExpiresAt };
    const lockToken = `lock-${(this.tokens += 1)}`;
    this.records.set(key, { fingerprint, lockToken, lockExpiresAt: now + lockMs });
    return { kind: 'acquired', lockToken, resumed: record !== undefined };
  }
  async complete(key: string, lockToken: string, response: StoredResponse) {
    const record = this.records.get(key);
    if (record?.lockToken === lockToken) this.records.set(key, { fingerprint: record.fingerprint, lockExpiresAt: 0, response });
  }
  async completeWith(key: string, lockToken: string, response: StoredResponse, _options: unknown, writes: readonly AtomicWrite[]) {
    const fate = this.fates.shift() ?? 'commits';
    if (fate === 'refused') return false;
    if (fate === 'lost before commit') throw new Error('lost before commit');
    // All or nothing: the lock still held and the checkout not stored yet, or nothing is written.
    if (this.records.get(key)?.lockToken !== lockToken || !this.checkouts.applyCreatedWrites(writes)) return false;
    await this.complete(key, lockToken, response);
    if (fate === 'lost after commit') throw new Error('lost after commit');
    return true;
  }
  async release(key: string, lockToken: string) {
    if (this.records.get(key)?.lockToken === lockToken) this.records.delete(key);
  }
  async abandon(key: string, lockToken: string) {
    const record = this.records.get(key);
    if (record?.lockToken === lockToken) this.records.set(key, { fingerprint: record.fingerprint, lockExpiresAt: 0 });
  }
}

/** The provider keeps one checkout per unique_id, as WePay does. */
class Provider {
  readonly name = 'wepay';
  readonly byUniqueId = new Map<string, ProviderCheckout>();
  async createCheckout(_token: string, request: { uniqueId: string; amount: number; accountId: string }): Promise<ProviderCheckout> {
    const existing = this.byUniqueId.get(request.uniqueId);
    if (existing) return existing;
    const created = providerCheckoutFixture(request, { checkoutId: String(9000 + this.byUniqueId.size) });
    this.byUniqueId.set(request.uniqueId, created);
    return created;
  }
}

const payer: Principal = { sub: 'payer-1', roles: ['payer'] };
const account = accountFixture();
const input = creationInputFixture(account);
const lockMs = 60_000;

const scenario = fc.record({
  copies: fc.integer({ min: 1, max: 3 }),
  fates: fc.array(fc.constantFrom<TransactionFate>('commits', 'refused', 'lost before commit', 'lost after commit'), { maxLength: 6 }),
  // Reconciliation passes, each after this many scheduler steps, with the intents' lease run out or not.
  passes: fc.array(fc.record({ afterSteps: fc.nat(12), leaseRunOut: fc.boolean() }), { maxLength: 3 }),
});

test('a creation stored with its answer in one transaction records the provider checkout once and answers it every time', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, fc.scheduler(), async ({ copies, fates, passes }, s) => {
      let now = Date.parse('2026-12-01T12:00:00Z');
      const checkouts = new MemoryCheckouts();
      const provider = new Provider();
      const idempotencyStore = new MemoryIdempotency(checkouts, [...fates]);
      const merchants = merchantsOf(account);
      const clock = { now: () => now };
      const deps: CheckoutDeps = {
        checkouts,
        merchants,
        // Every provider answer and every transaction is a point where the others may run.
        provider: { name: provider.name, createCheckout: s.scheduleFunction(provider.createCheckout.bind(provider)) } as unknown as PaymentProvider,
        vault: { seal: async (t: string) => t, open: async () => 'token' },
        clock,
        intentLeaseMs: lockMs,
      };
      const store: IdempotencyStore = {
        begin: idempotencyStore.begin.bind(idempotencyStore),
        complete: idempotencyStore.complete.bind(idempotencyStore),
        completeWith: s.scheduleFunction(idempotencyStore.completeWith.bind(idempotencyStore)),
        release: idempotencyStore.release.bind(idempotencyStore),
        abandon: idempotencyStore.abandon.bind(idempotencyStore),
      };
      const idempotency: IdempotencyDeps = { store, clock, settings: { retentionSeconds: 86_400, lockSeconds: lockMs / 1000 } };
      const render = (outcome: { kind: string; checkout?: { id: string; provider: { checkoutId: string } } }): StoredResponse => ({
        statusCode: 201,
        body: { id: outcome.checkout!.id, providerCheckoutId: outcome.checkout!.provider.checkoutId },
      });

      const id = checkoutIdFor(payer.sub, input.uniqueId);
      /**
       * A client: the same request until it is answered 201, waiting out a 409, retrying an unknown
       * outcome. When its 201 comes, the checkout it names is stored and watched already.
       */
      const client = async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          try {
            const { response } = await createCheckoutOnce({ ...deps, idempotency }, { principal: payer, input, asReceived: { unique_id: input.uniqueId } }, render as never);
            expect(await checkouts.get(id)).toBeDefined();
            expect(checkouts.watched.has(id)).toBe(true);
            return response;
          } catch (error) {
            if (!(error instanceof IdempotencyKeyInUseError) && !/^lost (before|after) commit$/.test((error as Error).message)) throw error;
            await s.schedule(Promise.resolve());
          }
        }
        throw new Error('no answer after 50 attempts');
      };
      /** What the reconciler does with each creation intent whose lease ran out (reconcile.ts, settleCreation). */
      const reconcile = async () => {
        for (const intent of [...checkouts.creations.values()]) {
          if (intent.expiresAt > now) continue;
          const found = provider.byUniqueId.get(intent.providerUniqueId);
          if (found) await recordCreated(deps, checkoutFromProvider(intent, provider.name, found, new Date(now).toISOString(), 'reconciler'));
          else await checkouts.clearCreationIntent(intent.checkoutId);
        }
      };
      const passesDone = Promise.all(
        passes.map(async ({ afterSteps, leaseRunOut }) => {
          for (let step = 0; step < afterSteps; step++) await s.schedule(Promise.resolve());
          if (leaseRunOut) now += lockMs + 1;
          await reconcile();
        }),
      );

      const answers = await s.waitFor(Promise.all(Array.from({ length: copies }, client)));
      await s.waitFor(passesDone);
      // Every answer stored its writes: no creation is left for the reconciler.
      expect(checkouts.creations.size).toBe(0);
      now += lockMs + 1;
      await reconcile();

      expect(provider.byUniqueId.size).toBe(1);
      const atProvider = [...provider.byUniqueId.values()][0]!;
      const ours = await checkouts.get(id);
      expect(ours?.provider.checkoutId).toBe(atProvider.checkoutId);
      expect(checkouts.watched.has(id)).toBe(true);
      expect(checkouts.creations.size).toBe(0);
      const named = { id, providerCheckoutId: atProvider.checkoutId };
      for (const answer of answers) expect(answer).toEqual({ statusCode: 201, body: named });
      expect([...idempotencyStore.records.values()].map((record) => record.response)).toEqual([{ statusCode: 201, body: named }]);
    }),
    { numRuns: 200 },
  );
});
