import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMerchantRepository } from '#functions/adapters/dynamodb/merchant-repository.ts';
import { AccountAlreadyExistsError, type MerchantAccount, type ProviderUser } from '#functions/domain/merchant.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

let table: LocalPaymentsTable;
let repository: DynamoDbMerchantRepository;
let sequence = 0;

beforeAll(async () => {
  table = await startLocalPaymentsTable();
  repository = new DynamoDbMerchantRepository({ client: table.documentClient, tableName: tableNames.payments });
});
afterAll(async () => {
  await table.stop();
});

function aProviderUser(overrides: Partial<ProviderUser> = {}): ProviderUser {
  sequence += 1;
  return {
    ownerSub: `merchant-${sequence}`,
    providerUserId: `wp-user-${sequence}`,
    sealedAccessToken: Buffer.from(`sealed-${sequence}`).toString('base64'),
    email: `owner${sequence}@example.com`,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)).toISOString(),
    ...overrides,
  };
}

function anAccount(overrides: Partial<MerchantAccount> = {}): MerchantAccount {
  sequence += 1;
  return {
    id: `acc_${String(sequence).padStart(6, '0')}`,
    ownerSub: 'merchant-accounts',
    name: 'Blue Bottle Cafe',
    description: 'Coffee',
    statementDescriptor: 'WPY*Blue Bottle Cafe',
    state: 'active',
    providerAccountId: `wp-acc-${sequence}`,
    createdAt: new Date(Date.UTC(2025, 0, 2, 0, 0, sequence)).toISOString(),
    ...overrides,
  };
}

describe('DynamoDbMerchantRepository', () => {
  describe('provider users', () => {
    it('stores a provider user once and reads it back', async () => {
      const user = aProviderUser();
      expect(await repository.getProviderUser(user.ownerSub)).toBeUndefined();
      expect(await repository.putProviderUserIfAbsent(user)).toEqual(user);
      expect(await repository.getProviderUser(user.ownerSub)).toEqual(user);
    });

    it('keeps the first registration and hands it to a later one for the same user', async () => {
      const first = aProviderUser();
      const second = aProviderUser({ ownerSub: first.ownerSub });
      await repository.putProviderUserIfAbsent(first);
      expect(await repository.putProviderUserIfAbsent(second)).toEqual(first);
      expect(await repository.getProviderUser(first.ownerSub)).toEqual(first);
    });

    it('lets exactly one of two concurrent registrations win', async () => {
      const a = aProviderUser();
      const b = aProviderUser({ ownerSub: a.ownerSub });
      const [fromA, fromB] = await Promise.all([repository.putProviderUserIfAbsent(a), repository.putProviderUserIfAbsent(b)]);
      expect(fromA).toEqual(fromB);
      expect(await repository.getProviderUser(a.ownerSub)).toEqual(fromA);
    });
  });

  describe('accounts', () => {
    it('creates an account and reads it back as it was', async () => {
      const account = anAccount();
      await repository.createAccount(account);
      expect(await repository.getAccount(account.id)).toEqual(account);
      expect(await repository.getAccount('acc_missing')).toBeUndefined();
    });

    it('refuses to create an account whose id exists, leaving the stored one untouched', async () => {
      const account = anAccount();
      await repository.createAccount(account);
      await expect(repository.createAccount({ ...account, name: 'Other Name' })).rejects.toThrow(
        AccountAlreadyExistsError,
      );
      expect(await repository.getAccount(account.id)).toEqual(account);
    });

    it('lists an owner’s accounts newest first, and only theirs', async () => {
      const mine = [anAccount({ ownerSub: 'merchant-list' }), anAccount({ ownerSub: 'merchant-list' })];
      await repository.createAccount(anAccount({ ownerSub: 'merchant-other' }));
      for (const account of mine) await repository.createAccount(account);
      expect(await repository.listAccountsByOwner('merchant-list', { limit: 20 })).toEqual({ items: [...mine].reverse(), nextCursor: null });
      expect(await repository.listAccountsByOwner('merchant-nobody', { limit: 20 })).toEqual({ items: [], nextCursor: null });
    });

    it('pages an owner’s accounts with a cursor that only that listing accepts', async () => {
      const mine = [1, 2, 3].map(() => anAccount({ ownerSub: 'merchant-pages' }));
      for (const account of mine) await repository.createAccount(account);
      const first = await repository.listAccountsByOwner('merchant-pages', { limit: 2 });
      expect(first.items).toEqual([mine[2], mine[1]]);
      const second = await repository.listAccountsByOwner('merchant-pages', { limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [mine[0]], nextCursor: null });
      await expect(repository.listAccountsByOwner('merchant-other', { limit: 2, cursor: first.nextCursor! })).rejects.toMatchObject({
        code: 'parameter_invalid',
        param: 'cursor',
      });
    });

    it('lists every owner’s accounts, newest first, for ops', async () => {
      const latest = [anAccount({ ownerSub: 'merchant-all-a' }), anAccount({ ownerSub: 'merchant-all-b' })];
      for (const account of latest) await repository.createAccount(account);
      expect((await repository.listAllAccounts({ limit: 2 })).items).toEqual([...latest].reverse());
    });
  });

  describe('identity bindings', () => {
    it('an email is claimed by the first user, again by them, and by no one else, whatever its letter case', async () => {
      expect(await repository.claimEmail('Owner@Example.com', 'merchant-email-a')).toBe(true);
      expect(await repository.claimEmail('owner@example.com', 'merchant-email-a')).toBe(true);
      expect(await repository.claimEmail(' OWNER@example.COM', 'merchant-email-b')).toBe(false);
    });

    it('a provider user is bound to one sub only, even when two race for it', async () => {
      const results = await Promise.all(['merchant-race-a', 'merchant-race-b'].map((sub) => repository.bindProviderUser('wepay', 'wp-user-race', sub)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? 'merchant-race-a' : 'merchant-race-b';
      expect(await repository.bindProviderUser('wepay', 'wp-user-race', winner)).toBe(true);
    });
  });

  it('keeps users and accounts across a restart of the local DynamoDB', async () => {
    const user = aProviderUser();
    const account = anAccount({ ownerSub: user.ownerSub });
    await repository.putProviderUserIfAbsent(user);
    await repository.createAccount(account);
    await table.restart();
    const reopened = new DynamoDbMerchantRepository({ client: table.documentClient, tableName: tableNames.payments });
    expect(await reopened.getProviderUser(user.ownerSub)).toEqual(user);
    expect(await reopened.getAccount(account.id)).toEqual(account);
    repository = reopened;
  });
});
