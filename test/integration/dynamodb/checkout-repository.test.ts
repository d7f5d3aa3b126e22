import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckoutRepository } from '#functions/adapters/dynamodb/checkout-repository.ts';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { CheckoutAlreadyExistsError, ConcurrentUpdateError, type Checkout } from '#functions/domain/checkout.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import { checkoutFixture } from '../../support/checkout-fixture.ts';
import { makeWritesInTurn } from '../../support/dynalite-transactions.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

let table: LocalPaymentsTable;
let repository: DynamoDbCheckoutRepository;
let sequence = 0;

beforeAll(async () => {
  table = await startLocalPaymentsTable();
  repository = new DynamoDbCheckoutRepository({ client: table.documentClient, tableName: tableNames.payments });
});
afterAll(async () => {
  await table.stop();
});

function aCheckout(overrides: Partial<Checkout> = {}): Checkout {
  sequence += 1;
  const id = `chk_${String(sequence).padStart(6, '0')}`;
  const createdAt = new Date(Date.UTC(2025, 0, 1, 12, 0, sequence)).toISOString();
  return checkoutFixture(id, {
    uniqueId: `order-${sequence}`,
    payerSub: 'payer-1',
    accountId: 'acc_one',
    ownerSub: 'owner-1',
    amount: 10_400,
    shortDescription: 'Two coffees',
    fee: { appFee: 400, feePayer: 'payee_from_app', processingFee: 332 },
    provider: { name: 'wepay', checkoutId: `wp-${sequence}` },
    providerUniqueId: `pu-${sequence}`,
    lastReadAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  });
}

async function readAllPages(list: (page: PageRequest) => Promise<Page<Checkout>>, limit: number) {
  const pages: Checkout[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

const newestFirst = (a: Checkout, b: Checkout) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

describe('DynamoDbCheckoutRepository', () => {
  it('stores a checkout and reads it back as it was', async () => {
    const withReference = aCheckout({ referenceId: 'order-7f3a' });
    const withoutReference = aCheckout();
    await repository.create(withReference);
    await repository.create(withoutReference);
    expect(await repository.get(withReference.id)).toEqual(withReference);
    expect(await repository.get(withoutReference.id)).toEqual(withoutReference);
    expect(await repository.get('chk_missing')).toBeUndefined();
  });

  it('refuses to create a checkout whose id exists, leaving the stored one untouched', async () => {
    const checkout = aCheckout();
    await repository.create(checkout);
    await expect(repository.create({ ...checkout, amount: 1 })).rejects.toThrow(CheckoutAlreadyExistsError);
    expect(await repository.get(checkout.id)).toEqual(checkout);
  });

  // In AWS one transaction with the stored answer (idempotency-store.ts); dynalite has none, so made one by one here.
  const makeEach = (writes: readonly AtomicWrite[]) => makeWritesInTurn(table.documentClient, writes);

  it("createdWrites write what create, watch and clearCreationIntent write, and refuse a checkout stored already", async () => {
    const checkout = aCheckout();
    const { id: checkoutId, uniqueId, payerSub, accountId, ownerSub, providerUniqueId, createdAt } = checkout;
    await repository.recordCreationIntent({ checkoutId, uniqueId, payerSub, accountId, ownerSub, providerAccountId: '1234', providerUniqueId, createdAt, expiresAt: 0 });
    expect((await repository.listOpen({ limit: 100 })).items).toContainEqual(expect.objectContaining({ kind: 'creation' }));
    const writes = repository.createdWrites(checkout, { watch: true });
    await makeEach(writes);
    expect(await repository.get(checkout.id)).toEqual(checkout);
    expect(await repository.getByProviderCheckoutId(checkout.provider.name, checkout.provider.checkoutId)).toEqual(checkout);
    const open = (await repository.listOpen({ limit: 100 })).items;
    expect(open).toContainEqual({ kind: 'checkout', checkoutId: checkout.id });
    expect(open.some((entry) => entry.kind === 'creation' && entry.intent.checkoutId === checkout.id)).toBe(false);
    await expect(makeEach(writes)).rejects.toThrow(ConditionalCheckFailedException);
  });

  it('createdWrites leave the watch entry out when told to', async () => {
    const checkout = aCheckout({ state: 'cancelled' });
    await makeEach(repository.createdWrites(checkout, { watch: false }));
    expect(await repository.get(checkout.id)).toEqual(checkout);
    expect((await repository.listOpen({ limit: 100 })).items).not.toContainEqual({ kind: 'checkout', checkoutId: checkout.id });
  });

  it('finds a checkout by the provider’s checkout id', async () => {
    const checkout = aCheckout();
    await repository.create(checkout);
    expect(await repository.getByProviderCheckoutId(checkout.provider.name, checkout.provider.checkoutId)).toEqual(checkout);
    expect(await repository.getByProviderCheckoutId(checkout.provider.name, 'wp-unknown')).toBeUndefined();
    expect(await repository.getByProviderCheckoutId('another-provider', checkout.provider.checkoutId)).toBeUndefined();
  });

  it('updates at the expected version and counts the version up', async () => {
    const checkout = aCheckout();
    await repository.create(checkout);
    const updated = await repository.update({ ...checkout, state: 'captured', updatedAt: '2025-02-01T00:00:00.000Z' }, 1);
    expect(updated.version).toBe(2);
    expect(await repository.get(checkout.id)).toEqual(updated);
    const again = await repository.update({ ...updated, amountRefunded: 500 }, 2);
    expect(again.version).toBe(3);
  });

  it('refuses an update from a stale read (optimistic concurrency)', async () => {
    const checkout = aCheckout();
    await repository.create(checkout);
    const first = await repository.update({ ...checkout, state: 'captured' }, 1);
    await expect(repository.update({ ...checkout, state: 'cancelled' }, 1)).rejects.toThrow(ConcurrentUpdateError);
    expect(await repository.get(checkout.id)).toEqual(first);
  });

  it('refuses to update a checkout that was never created', async () => {
    const checkout = aCheckout();
    await expect(repository.update(checkout, 1)).rejects.toThrow(ConcurrentUpdateError);
    expect(await repository.get(checkout.id)).toBeUndefined();
  });

  describe('listings', () => {
    // A world of its own: accounts, payers and owners no other test uses.
    const created: Checkout[] = [];
    beforeAll(async () => {
      const sameInstant = '2025-06-01T00:00:00.000Z';
      for (let i = 0; i < 23; i += 1) {
        const checkout = aCheckout({
          accountId: i % 3 === 0 ? 'acc_list_b' : 'acc_list_a',
          ownerSub: i % 3 === 0 ? 'owner-list-2' : 'owner-list-1',
          payerSub: i % 2 === 0 ? 'payer-list-1' : 'payer-list-2',
          // some share a createdAt: the id breaks the tie, so order stays stable
          ...(i >= 20 ? { createdAt: sameInstant, updatedAt: sameInstant } : {}),
        });
        created.push(checkout);
      }
      // written out of order, to prove the order comes from the index
      for (const checkout of [...created].reverse()) await repository.create(checkout);
    });

    it('lists an account’s checkouts newest first across pages, each once', async () => {
      const pages = await readAllPages((page) => repository.listByAccount('acc_list_a', page), 4);
      const expected = created.filter((c) => c.accountId === 'acc_list_a').sort(newestFirst);
      expect(pages.flat()).toEqual(expected);
      expect(pages.length).toBe(Math.ceil(expected.length / 4));
      expect(pages.slice(0, -1).every((items) => items.length === 4)).toBe(true);
    });

    it('lists a payer’s checkouts newest first across pages', async () => {
      const pages = await readAllPages((page) => repository.listByPayer('payer-list-2', page), 5);
      expect(pages.flat()).toEqual(created.filter((c) => c.payerSub === 'payer-list-2').sort(newestFirst));
    });

    it('lists an owner’s checkouts across all their accounts newest first', async () => {
      const pages = await readAllPages((page) => repository.listByOwner('owner-list-2', page), 3);
      expect(pages.flat()).toEqual(created.filter((c) => c.ownerSub === 'owner-list-2').sort(newestFirst));
    });

    it('lists every checkout newest first', async () => {
      const pages = await readAllPages((page) => repository.listAll(page), 7);
      const all = pages.flat();
      expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
      expect(all).toEqual([...all].sort(newestFirst));
      expect(all.filter((c) => created.some((mine) => mine.id === c.id))).toEqual([...created].sort(newestFirst));
    });

    it('ends with a null cursor when the last page is exactly full', async () => {
      const count = created.filter((c) => c.accountId === 'acc_list_b').length; // 8
      const first = await repository.listByAccount('acc_list_b', { limit: count / 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await repository.listByAccount('acc_list_b', { limit: count / 2, cursor: first.nextCursor! });
      expect(second.items).toHaveLength(count / 2);
      expect(second.nextCursor).toBeNull();
    });

    it('returns an empty page with a null cursor for an account without checkouts', async () => {
      expect(await repository.listByAccount('acc_nothing', { limit: 20 })).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a malformed cursor with parameter_invalid on cursor', async () => {
      const garbage = [
        'not a cursor!',
        Buffer.from('{"pk":', 'utf8').toString('base64url'),
        Buffer.from('[1,2]', 'utf8').toString('base64url'),
        Buffer.from(JSON.stringify({ pk: 'CHECKOUT#x', sk: 'CHECKOUT' }), 'utf8').toString('base64url'),
      ];
      for (const cursor of garbage) {
        await expect(repository.listByAccount('acc_list_a', { limit: 5, cursor })).rejects.toThrow(
          expect.objectContaining({ constructor: InvalidRequestError, code: 'parameter_invalid', param: 'cursor' }),
        );
      }
    });

    it('refuses a cursor issued for another listing', async () => {
      const otherAccount = await repository.listByAccount('acc_list_b', { limit: 2 });
      await expect(
        repository.listByAccount('acc_list_a', { limit: 2, cursor: otherAccount.nextCursor! }),
      ).rejects.toThrow(expect.objectContaining({ code: 'parameter_invalid', param: 'cursor' }));
      await expect(repository.listAll({ limit: 2, cursor: otherAccount.nextCursor! })).rejects.toThrow(
        expect.objectContaining({ code: 'parameter_invalid', param: 'cursor' }),
      );
    });

    it('refuses a limit outside 1–100', async () => {
      for (const limit of [0, 101, 2.5]) {
        await expect(repository.listAll({ limit })).rejects.toThrow(
          expect.objectContaining({ code: 'parameter_invalid', param: 'limit' }),
        );
      }
    });
  });

  it('keeps checkouts across a restart of the local DynamoDB', async () => {
    const checkout = aCheckout();
    await repository.create(checkout);
    await table.restart();
    const reopened = new DynamoDbCheckoutRepository({ client: table.documentClient, tableName: tableNames.payments });
    expect(await reopened.get(checkout.id)).toEqual(checkout);
    expect(await reopened.getByProviderCheckoutId(checkout.provider.name, checkout.provider.checkoutId)).toEqual(checkout);
    repository = reopened;
  });
});
