// The reconciler's limits against in-memory ports and a fake clock: batches of at
// most 50 reads, no more than the throttle's calls per window, no provider call
// started after the deadline (what is left is counted unresolved when it was an
// unknown outcome), one pass at a time, and one system:reconciler audit record
// per checkout a pass changed. Nothing here waits for real time.
import { defaultReconcileSettings, runReconciliation, type ReconcileDeps } from '#functions/app/reconcile.ts';
import { InvalidStateError } from '#functions/domain/errors.ts';
import { CallWindow } from '#functions/domain/call-window.ts';
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import { checkoutFixture } from '../../support/checkout-fixture.ts';
import type { CheckoutRead, PaymentProvider, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import type { LeaseOutcome, ReconciliationLease } from '#functions/ports/reconciliation-lease.ts';
import { MemoryCheckouts } from '../../support/memory-checkouts.ts';

const start = Date.UTC(2025, 0, 1, 12);
let now = start;
const clock = { now: () => now };

function checkout(index: number, overrides: Partial<Checkout> = {}): Checkout {
  const hourAgo = new Date(start - 3_600_000).toISOString();
  return checkoutFixture(`chk_${String(index).padStart(5, '0')}`, {
    uniqueId: `u-${index}`,
    provider: { name: 'wepay', checkoutId: String(1000 + index) },
    providerUniqueId: `p-${index}`,
    lastReadAt: hourAgo,
    createdAt: hourAgo,
    updatedAt: hourAgo,
    ...overrides,
  });
}

class BatchProvider {
  readonly batches: { at: number; size: number }[] = [];
  /** Each batch takes this long (fake time). */
  batchMs = 0;
  async getCheckouts(reads: readonly CheckoutRead[]): Promise<ProviderCheckout[]> {
    this.batches.push({ at: now, size: reads.length });
    now += this.batchMs;
    return reads.map((read) => ({
      checkoutId: read.checkoutId,
      accountId: '1',
      state: 'captured',
      amount: 1_000,
      currency: 'USD',
      shortDescription: 'x',
      type: 'goods',
      appFee: 0,
      feePayer: 'payee_from_app',
      processingFee: 59,
      amountRefunded: 0,
      amountChargedBack: 0,
      createTime: 0,
    }));
  }
}

class MemoryLease implements ReconciliationLease {
  holder: { token: string; expiresAt: number } | undefined;
  async acquire(token: string, at: number, durationMs: number): Promise<LeaseOutcome> {
    if (this.holder && this.holder.expiresAt > at) return { acquired: false, expiresAt: this.holder.expiresAt };
    this.holder = { token, expiresAt: at + durationMs };
    return { acquired: true };
  }
  async release(token: string) {
    if (this.holder?.token === token) this.holder = undefined;
  }
}

function depsWith(checkouts: MemoryCheckouts, provider: BatchProvider, lease = new MemoryLease()): ReconcileDeps {
  return {
    checkouts,
    merchants: { getProviderUser: async () => ({ ownerSub: 'owner', providerUserId: '1', sealedAccessToken: 'sealed', email: 'e@x.com', createdAt: '' }) } as never,
    provider: provider as unknown as PaymentProvider,
    vault: { seal: async (plain: string) => plain, open: async () => 'token' },
    clock,
    lease,
    // The fake clock advances by what the pass waits for.
    sleep: async (ms) => {
      now += ms;
    },
  };
}

async function stored(count: number) {
  const checkouts = new MemoryCheckouts();
  for (let index = 0; index < count; index++) {
    await checkouts.create(checkout(index));
    await checkouts.watch(checkout(index).id);
  }
  return checkouts;
}

beforeEach(() => {
  now = start;
});

test('stale checkouts are read in batches of at most 50, and their changes recorded', async () => {
  const checkouts = await stored(120);
  const provider = new BatchProvider();
  const report = await runReconciliation(depsWith(checkouts, provider), defaultReconcileSettings(600));
  expect(provider.batches.map((b) => b.size)).toEqual([50, 50, 20]);
  expect(report).toMatchObject({ checked: 120, updated: 120, settled: 0, unresolved: 0 });
  expect((await checkouts.get('chk_00000'))!.state).toBe('captured');
});

test('no more than the throttle allows per window, and no call starts after the deadline', async () => {
  const checkouts = await stored(50 * 12);
  const provider = new BatchProvider();
  const settings = { ...defaultReconcileSettings(600), throttle: { calls: 3, windowMs: 10_000 }, deadlineMs: 20_000 };
  const report = await runReconciliation(depsWith(checkouts, provider), settings);
  for (const batch of provider.batches) {
    expect(batch.at - start).toBeLessThan(20_000);
    const inWindow = provider.batches.filter((other) => other.at > batch.at - 10_000 && other.at <= batch.at);
    expect(inWindow.length).toBeLessThanOrEqual(3);
  }
  expect(provider.batches.length).toBeLessThan(12);
  expect(report.checked).toBe(provider.batches.length * 50);
});

test('pending actions left unknown come first; those a pass could not read are counted unresolved', async () => {
  const checkouts = await stored(100);
  for (const index of [70, 80, 90]) {
    const pendingOne = checkout(index, {
      state: 'captured',
      actions: [{ id: `rfd_${index}`, action: 'refund', amount: 100, state: 'pending', createdAt: '', before: { state: 'captured', amountRefunded: 0 }, expiresAt: start - 1 }],
    });
    checkouts.items.set(pendingOne.id, pendingOne);
  }
  const provider = new BatchProvider();
  const settings = { ...defaultReconcileSettings(600), batchSize: 1, throttle: { calls: 1, windowMs: 10_000 }, deadlineMs: 15_000 };
  const report = await runReconciliation(depsWith(checkouts, provider), settings);
  // Two calls fit before the deadline: two unknown outcomes settled (the provider shows no refund: failed), the third left.
  expect(provider.batches).toHaveLength(2);
  expect(report).toMatchObject({ settled: 2, unresolved: 1 });
  expect((await checkouts.get('chk_00070'))!.actions[0]!.state).toBe('failed');
});

test('a pass audits each checkout it changed once, as system:reconciler, and not those it only re-read', async () => {
  const checkouts = await stored(4);
  // Already what the provider says: re-read (its read time recorded) but not changed.
  for (const index of [1, 3]) checkouts.items.set(checkout(index).id, checkout(index, { state: 'captured' }));
  // A refund left unknown that the provider shows as never made: settled as failed, a change.
  const pendingOne = checkout(2, {
    state: 'captured',
    actions: [{ id: 'rfd_2', action: 'refund', amount: 100, state: 'pending', createdAt: '', before: { state: 'captured', amountRefunded: 0 }, expiresAt: start - 1 }],
  });
  checkouts.items.set(pendingOne.id, pendingOne);
  const records: AuditRecord[] = [];
  const audit = { log: { append: async (record: AuditRecord) => void records.push(record), list: async () => ({ items: [], nextCursor: null }) }, clock, onWriteFailure: () => {} };
  const report = await runReconciliation({ ...depsWith(checkouts, new BatchProvider()), audit }, defaultReconcileSettings(600));
  expect(report).toMatchObject({ checked: 4, settled: 1 });
  expect((await checkouts.get('chk_00001'))!.version).toBe(2);
  // Unknown outcomes are read first: the settled refund's record comes first.
  expect(records.map((r) => [r.resource.id, r.action, r.actor])).toEqual(
    ['chk_00002', 'chk_00000'].map((id) => [id, 'checkouts.update', { sub: 'system:reconciler', roles: [], mandate_id: null, ip: null, user_agent: null }]),
  );
  // A second pass finds nothing new: no record.
  now += 3_600_000;
  await runReconciliation({ ...depsWith(checkouts, new BatchProvider()), audit }, defaultReconcileSettings(600));
  expect(records).toHaveLength(2);
});

test('a pass while another holds the lease is refused with invalid_state and a Retry-After', async () => {
  const lease = new MemoryLease();
  await lease.acquire('other', now, 30_000);
  const error = await runReconciliation(depsWith(await stored(1), new BatchProvider(), lease), defaultReconcileSettings(600)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidStateError);
  expect((error as InvalidStateError).retryAfterSeconds).toBe(30);
});

test('the call window lets its calls through at once, then the next only when the oldest leaves the window', () => {
  const window = new CallWindow(30, 10_000);
  for (let call = 0; call < 30; call++) expect(window.take(call)).toBe(true);
  expect(window.take(100)).toBe(false);
  expect(window.waitMs(100)).toBe(9_900);
  expect(window.take(10_000)).toBe(true);
  expect(window.take(10_000)).toBe(false);
});
