// Measures what persisting one change costs as the sandbox's state grows: the
// journal (this store) against rewriting the whole state, as version 1 did.
//   node --expose-gc --import tsx local/sandbox/bench-persistence.ts [sizes] [hotCheckouts]
// (sizes default 1000,20000,50000; hotCheckouts defaults to the store's 5,000:
// pass e.g. 1000000 to see the heap with every checkout in memory).
// At each size the state is grown to that many checkouts, then 10,000 more
// payments' changes are made (about 11 MB of journal, so compactions are
// included), each flushed on its own: the worst case, as under load the store
// coalesces a burst into one append. It prints µs per change, the snapshot's
// size and the heap after a GC (`n/a` without --expose-gc).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckoutRecord } from '#local/sandbox/records.ts';
import { SandboxStore } from '#local/sandbox/state-store.ts';

const sizes = (process.argv[2] ?? '1000,20000,50000').split(',').map(Number);
const hotCheckouts = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const MEASURED_CHANGES = 10_000;

function record(store: SandboxStore, i: number): CheckoutRecord {
  return {
    checkout_id: store.nextId('checkout'),
    account_id: 100 + (i % 10),
    state: 'authorized',
    short_description: 'Two coffees',
    long_description: null,
    type: 'goods',
    currency: 'USD',
    amount: 10_400,
    app_fee: 400,
    fee_payer: 'payee_from_app',
    processing_fee: 332,
    reference_id: `chk_${i.toString(36).padStart(12, '0')}`,
    unique_id: `chk_${i.toString(36).padStart(12, '0')}:create`,
    amount_refunded: 0,
    amount_charged_back: 0,
    refund_reason: null,
    cancel_reason: null,
    create_time: 1_700_000_000 + i,
    callback_uri: `http://127.0.0.1:3000/v1/ipn/wepay/${'r'.repeat(43)}`,
    payment: { kind: 'credit_card', credit_card_id: 42, auto_capture: true },
    next_transition: { to: 'captured', at: 1_700_000_000_000 + i },
  };
}

/** One payment's worth of changes: the checkout, its unique_id, its pending IPN. */
function change(store: SandboxStore, i: number): void {
  const checkout = record(store, i);
  store.checkouts.set(checkout);
  store.uniqueIds.set(checkout.unique_id ?? '', { fingerprint: 'x'.repeat(22), checkout_id: checkout.checkout_id, declined: false });
  store.pendingIpns.set(checkout.checkout_id, { checkout_id: checkout.checkout_id, attempt: 0, due_at: i });
}

function microsPerChange(run: () => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < MEASURED_CHANGES; i++) run();
  return Number(process.hrtime.bigint() - started) / 1_000 / MEASURED_CHANGES;
}

const gc = (globalThis as { gc?: () => void }).gc;
console.log('checkouts | journal µs/change | full rewrite µs/change (v1) | compactions | one compaction ms | snapshot MB | heap MB');
for (const size of sizes) {
  const directory = mkdtempSync(join(tmpdir(), 'sandbox-bench-'));
  const store = SandboxStore.open(directory, { hotCheckouts });
  for (let i = 0; i < size; i++) change(store, i);
  store.flush();
  // One compaction of the whole state: the pause a compaction costs at this size (cold checkouts read back included).
  const compactStarted = process.hrtime.bigint();
  store.compact();
  const compactMs = Number(process.hrtime.bigint() - compactStarted) / 1e6;
  let next = size;
  const before = store.stats().compactions;
  const journal = microsPerChange(() => {
    change(store, next++);
    store.flush();
  });
  const compactions = store.stats().compactions - before;
  gc?.();
  const heap = gc ? (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1) : 'n/a';

  // Version 1: the whole state as one document, rewritten for each change (under load it coalesced a few).
  const whole = { checkouts: {} as Record<string, unknown>, unique_ids: {} as Record<string, unknown> };
  for (let i = 0; i < size; i++) {
    const checkout = record(store, i);
    whole.checkouts[checkout.checkout_id] = checkout;
    whole.unique_ids[checkout.unique_id ?? ''] = { fingerprint: JSON.stringify(checkout), checkout_id: checkout.checkout_id };
  }
  const legacyFile = join(directory, 'state.json');
  const rewrites = Math.max(3, Math.min(100, Math.floor(200_000 / size)));
  const startedLegacy = process.hrtime.bigint();
  for (let i = 0; i < rewrites; i++) writeFileSync(legacyFile, JSON.stringify(whole));
  const legacy = Number(process.hrtime.bigint() - startedLegacy) / 1_000 / rewrites;

  console.log(`${size} | ${journal.toFixed(1)} | ${legacy.toFixed(0)} | ${compactions} | ${compactMs.toFixed(0)} | ${(store.stats().snapshotBytes / 1024 / 1024).toFixed(1)} | ${heap}`);
  store.close();
  rmSync(directory, { recursive: true, force: true });
}
