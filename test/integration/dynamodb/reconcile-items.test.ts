// What the reconciler keeps in the payments table (dynalite): the watched
// checkouts and creation intents (one partition, paged), batch reads of
// checkouts, and the one-pass-at-a-time lease.
import { jest } from '@jest/globals';
import { DynamoDbCheckoutRepository } from '#functions/adapters/dynamodb/checkout-repository.ts';
import { DynamoDbReconciliationLease } from '#functions/adapters/dynamodb/reconciliation-lease.ts';
import type { OpenEntry } from '#functions/ports/checkout-repository.ts';
import type { Checkout, CreationIntent } from '#functions/domain/checkout.ts';
import { checkoutFixture } from '../../support/checkout-fixture.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';


let table: LocalPaymentsTable;
let repository: DynamoDbCheckoutRepository;
let lease: DynamoDbReconciliationLease;

beforeAll(async () => {
  table = await startLocalPaymentsTable();
  repository = new DynamoDbCheckoutRepository({ client: table.documentClient, tableName: tableNames.payments });
  lease = new DynamoDbReconciliationLease({ client: table.documentClient, tableName: tableNames.payments });
});
afterAll(async () => {
  await table.stop();
});

const aCheckout = (id: string): Checkout =>
  checkoutFixture(id, {
    state: 'captured',
    actions: [{ id: 'rfd_1', action: 'refund', amount: 100, reason: 'r', state: 'pending', createdAt: '2025-01-01T00:00:00.000Z', before: { state: 'captured', amountRefunded: 0 }, expiresAt: 5 }],
    changes: [{ version: 1, at: '2025-01-01T00:00:00.000Z', source: 'api', types: ['checkout.created', 'checkout.captured'] }],
  });

test('watched checkouts and creation intents are listed page by page, each once, and leave when cleared', async () => {
  for (let i = 0; i < 7; i++) await repository.watch(`chk_w${i}`);
  const intent: CreationIntent = {
    checkoutId: 'chk_c1', uniqueId: 'u', payerSub: 'p', accountId: 'acc_1', ownerSub: 'o', providerAccountId: '12',
    providerUniqueId: 'pay_x', createdAt: '2025-01-01T00:00:00.000Z', expiresAt: 123,
  };
  await repository.recordCreationIntent(intent);
  const seen: OpenEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await repository.listOpen({ limit: 3, ...(cursor ? { cursor } : {}) });
    seen.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(seen.filter((e) => e.kind === 'checkout')).toHaveLength(7);
  expect(seen.filter((e) => e.kind === 'creation')).toEqual([{ kind: 'creation', intent }]);

  await repository.unwatch('chk_w0');
  await repository.clearCreationIntent('chk_c1');
  const after = await repository.listOpen({ limit: 100 });
  expect(after.items).toHaveLength(6);
});

test('checkouts keep their actions, changes and last read time, and are read in batches', async () => {
  const checkouts = ['chk_b1', 'chk_b2', 'chk_b3'].map(aCheckout);
  for (const checkout of checkouts) await repository.create(checkout);
  const found = await repository.getMany(['chk_b1', 'chk_b2', 'chk_b3', 'chk_missing']);
  expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual(checkouts);
});

test('one lease holder at a time; another may take it once it expires or is released', async () => {
  expect(await lease.acquire('a', 1_000, 10_000)).toEqual({ acquired: true });
  expect(await lease.acquire('b', 2_000, 10_000)).toEqual({ acquired: false, expiresAt: 11_000 });
  expect(await lease.acquire('b', 11_001, 10_000)).toEqual({ acquired: true });
  await lease.release('a'); // no longer a's: nothing happens
  expect((await lease.acquire('c', 12_000, 10_000)).acquired).toBe(false);
  await lease.release('b');
  expect(await lease.acquire('c', 12_000, 10_000)).toEqual({ acquired: true });
  await lease.release('c');
});
