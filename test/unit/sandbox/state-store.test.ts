// The sandbox's store on disk: changes survive a reopen (after close, or after a
// flush with no close, as a killed process leaves them), a torn last journal
// line is ignored, compaction changes nothing but the files, only a bounded
// number of full checkouts stays in memory, and a version-1 state.json migrates.
// Files are written only where a crash would write them (a torn append); the
// state is always read back through the store.
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CheckoutRecord, CheckoutState } from '#local/sandbox/records.ts';
import { SandboxStore, type SandboxStoreOptions } from '#local/sandbox/state-store.ts';

const open: SandboxStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function newDir(): string {
  return mkdtempSync(join(tmpdir(), 'sandbox-store-'));
}

function openStore(directory: string, options: SandboxStoreOptions = {}): SandboxStore {
  const store = SandboxStore.open(directory, options);
  open.push(store);
  return store;
}

function checkout(store: SandboxStore, amount: number, state: CheckoutState = 'authorized'): CheckoutRecord {
  const record: CheckoutRecord = {
    checkout_id: store.nextId('checkout'),
    account_id: 77,
    state,
    short_description: `order ${amount}`,
    long_description: null,
    type: 'goods',
    currency: 'USD',
    amount,
    app_fee: 0,
    fee_payer: 'payee_from_app',
    processing_fee: 30,
    reference_id: `ref-${amount}`,
    unique_id: `u-${amount}`,
    amount_refunded: 0,
    amount_charged_back: 0,
    refund_reason: null,
    cancel_reason: null,
    create_time: 1_700_000_000 + amount,
    callback_uri: null,
    payment: { kind: 'hosted' },
    next_transition: null,
  };
  store.checkouts.set(record);
  return record;
}

/** Everything the store holds, read through its API, in a comparable form. */
function dump(store: SandboxStore) {
  const ids = [...store.checkouts.entries()].map((entry) => entry.checkout_id);
  return {
    users: [...store.users.entries()],
    tokens: [...store.tokens.entries()],
    accounts: [...store.accounts.entries()],
    creditCards: [...store.creditCards.entries()],
    uniqueIds: [...store.uniqueIds.entries()],
    pendingIpns: [...store.pendingIpns.entries()],
    checkouts: ids.map((id) => store.checkouts.peek(id)),
  };
}

function populate(store: SandboxStore, count: number): void {
  store.users.set(5, { user_id: 5, email: 'a@example.com', first_name: 'A', last_name: 'B', create_time: 1 });
  store.tokens.set('digest-1', { user_id: 5, revoked: false });
  store.accounts.set(77, { account_id: 77, owner_user_id: 5, name: 'Cafe', description: 'd', reference_id: null, state: 'active', create_time: 2 });
  for (let i = 1; i <= count; i++) {
    const record = checkout(store, i);
    store.uniqueIds.set(`u-${i}`, { fingerprint: `f${i}`, checkout_id: record.checkout_id, declined: false });
    if (i % 3 === 0) store.checkouts.set({ ...record, state: 'captured', amount_refunded: i % 2 });
    if (i % 5 === 0) store.pendingIpns.set(record.checkout_id, { checkout_id: record.checkout_id, attempt: 1, due_at: i });
    if (i % 10 === 0) store.pendingIpns.delete(record.checkout_id);
  }
  store.tokens.set('digest-1', { user_id: 5, revoked: true });
}

test('every change is there after a close and a reopen', () => {
  const directory = newDir();
  const first = SandboxStore.open(directory);
  populate(first, 200);
  const before = dump(first);
  const lastId = before.checkouts.at(-1)?.checkout_id ?? 0;
  first.close();
  const reopened = openStore(directory);
  expect(dump(reopened)).toEqual(before);
  expect(reopened.nextId('checkout')).toBe(lastId + 1);
});

test('every flushed change is there when the process never closed the store (a kill after the flush)', () => {
  const directory = newDir();
  const killed = SandboxStore.open(directory);
  populate(killed, 50);
  killed.flush();
  // `killed` is abandoned, as a SIGKILL would leave it: no close, no exit hook.
  const reopened = openStore(directory);
  expect(reopened.checkouts.size).toBe(50);
  expect(reopened.tokens.get('digest-1')).toEqual({ user_id: 5, revoked: true });
  expect(reopened.pendingIpns.size).toBe(5);
});

test('a torn last journal line is ignored, and appends after it are read back', () => {
  const directory = newDir();
  const first = SandboxStore.open(directory, { compactAtBytes: Number.MAX_SAFE_INTEGER });
  populate(first, 20);
  const before = dump(first);
  first.close();
  // A crash in the middle of an append: half a line, no newline.
  appendFileSync(join(directory, 'journal.jsonl'), '{"k":"checkouts","id":"99","v":{"checkout_id":9');

  const second = SandboxStore.open(directory, { compactAtBytes: Number.MAX_SAFE_INTEGER });
  expect(dump(second)).toEqual(before);
  const added = checkout(second, 1_000);
  second.close();
  const third = openStore(directory);
  expect(third.checkouts.peek(added.checkout_id)).toEqual(added);
  expect(third.checkouts.size).toBe(21);
});

test('a damaged line followed by valid ones is refused rather than dropped silently', () => {
  const directory = newDir();
  const first = SandboxStore.open(directory, { compactAtBytes: Number.MAX_SAFE_INTEGER });
  populate(first, 3);
  first.close();
  appendFileSync(join(directory, 'journal.jsonl'), 'not json\n{"k":"users","id":"6","v":null}\n');
  expect(() => SandboxStore.open(directory)).toThrow(/damaged line/);
});

test('compaction changes nothing but the files, before and after a reopen', () => {
  const directory = newDir();
  const store = SandboxStore.open(directory, { compactAtBytes: Number.MAX_SAFE_INTEGER, hotCheckouts: 7 });
  populate(store, 120);
  store.flush();
  const before = dump(store);
  store.compact();
  expect(store.stats().journalBytes).toBe(0);
  expect(dump(store)).toEqual(before);
  store.close();
  expect(dump(openStore(directory))).toEqual(before);
});

test('the journal is compacted on its own once it outgrows the threshold and the snapshot', () => {
  const directory = newDir();
  const store = openStore(directory, { compactAtBytes: 16 * 1024 });
  for (let i = 1; i <= 400; i++) {
    checkout(store, i);
    store.flush();
  }
  const { compactions, journalBytes, snapshotBytes } = store.stats();
  expect(compactions).toBeGreaterThan(0);
  expect(journalBytes).toBeLessThanOrEqual(Math.max(16 * 1024, snapshotBytes));
});

test('only hotCheckouts full records stay in memory; the others are read back from disk, unchanged', () => {
  const directory = newDir();
  const store = openStore(directory, { hotCheckouts: 10, compactAtBytes: 32 * 1024 });
  const written = Array.from({ length: 300 }, (_, i) => checkout(store, i + 1));
  store.flush();
  expect(store.stats().hotCheckouts).toBeLessThanOrEqual(10);
  for (const record of written) expect(store.checkouts.get(record.checkout_id)).toEqual(record);
  expect(store.stats().hotCheckouts).toBeLessThanOrEqual(10);
});

test('a checkout changed since the last flush is never evicted (its only copy is in memory)', () => {
  const store = openStore(newDir(), { hotCheckouts: 2 });
  const records = Array.from({ length: 20 }, (_, i) => checkout(store, i + 1));
  store.checkouts.evict();
  for (const record of records) expect(store.checkouts.peek(record.checkout_id)).toEqual(record);
});

test('any sequence of changes, flushes, compactions and reopens reads back as the same state', () => {
  const operation = fc.oneof(
    fc.record({ op: fc.constant('create' as const), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
    fc.record({ op: fc.constant('move' as const), pick: fc.nat(), state: fc.constantFrom<CheckoutState>('captured', 'released', 'refunded', 'cancelled') }),
    fc.record({ op: fc.constantFrom('flush' as const, 'compact' as const, 'reopen' as const) }),
  );
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
      const directory = newDir();
      const options = { hotCheckouts: 3, compactAtBytes: 4 * 1024 };
      let store = SandboxStore.open(directory, options);
      const expected = new Map<number, CheckoutRecord>();
      try {
        for (const step of operations) {
          if (step.op === 'create') {
            const record = checkout(store, step.amount);
            expected.set(record.checkout_id, record);
          } else if (step.op === 'move') {
            const ids = [...expected.keys()];
            const id = ids[step.pick % Math.max(1, ids.length)];
            const current = id === undefined ? undefined : store.checkouts.get(id);
            if (current) {
              const moved = { ...current, state: step.state };
              store.checkouts.set(moved);
              expected.set(moved.checkout_id, moved);
            }
          } else if (step.op === 'flush') store.flush();
          else if (step.op === 'compact') store.compact();
          else {
            store.close();
            store = SandboxStore.open(directory, options);
          }
        }
        store.close();
        store = SandboxStore.open(directory, options);
        expect(store.checkouts.size).toBe(expected.size);
        for (const [id, record] of expected) expect(store.checkouts.peek(id)).toEqual(record);
      } finally {
        store.close();
      }
    }),
    { numRuns: 40 },
  );
});

test('a version-1 state.json is migrated once: its records kept, its unique_ids still matched, the file gone', () => {
  const directory = newDir();
  writeFileSync(
    join(directory, 'state.json'),
    JSON.stringify({
      version: 1,
      next_id: { user: 11, account: 21, credit_card: 31, checkout: 42 },
      users: { 10: { user_id: 10, email: 'old@example.com', first_name: 'O', last_name: 'L', create_time: 1 } },
      tokens: { abc: { user_id: 10, revoked: false } },
      accounts: {},
      credit_cards: {},
      checkouts: { 41: { checkout_id: 41, account_id: 20, state: 'captured', short_description: 'old', create_time: 5, reference_id: null, next_transition: null } },
      unique_ids: { 'u-old': { fingerprint: '[20,"old"]', checkout_id: 41, declined: false } },
      pending_ipns: {},
    }),
  );
  const store = openStore(directory);
  expect(existsSync(join(directory, 'state.json'))).toBe(false);
  expect(store.users.get(10)?.email).toBe('old@example.com');
  expect(store.checkouts.peek(41)).toMatchObject({ checkout_id: 41, state: 'captured' });
  expect(store.uniqueIds.get('u-old')?.fingerprint).toHaveLength(22);
  expect(store.nextId('checkout')).toBe(42);
});
