import { DynamoDbMandateRepository } from '#functions/adapters/dynamodb/mandate-repository.ts';
import type { Mandate } from '#functions/domain/mandate.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

const now = '2026-12-01T12:00:00.000Z';
const mandate = (id: string, overrides: Partial<Mandate> = {}): Mandate => ({
  id,
  payerSub: 'payer-1',
  agent: { name: 'Trip planner' },
  currency: 'USD',
  perCheckoutMax: 5000,
  totalMax: 20000,
  accountIds: ['acc_1'],
  creditCardId: '123',
  expiresAt: '2026-12-31T00:00:00.000Z',
  spent: 0,
  checkoutsCount: 0,
  createdAt: now,
  ...overrides,
});

describe('DynamoDB mandates (dynalite)', () => {
  let table: LocalPaymentsTable;
  let repo: DynamoDbMandateRepository;

  beforeAll(async () => {
    table = await startLocalPaymentsTable();
    repo = new DynamoDbMandateRepository({ client: table.documentClient, tableName: tableNames.payments });
  });
  afterAll(async () => {
    await table.stop();
  });

  it('finds a mandate by its token hash and never stores anything but the hash', async () => {
    await repo.create(mandate('mdt_hash'), 'a'.repeat(64));
    expect((await repo.getByTokenHash('a'.repeat(64)))?.id).toBe('mdt_hash');
    expect(await repo.getByTokenHash('b'.repeat(64))).toBeUndefined();
  });

  it('never lets 40 concurrent spends take spent over total_max', async () => {
    await repo.create(mandate('mdt_race', { totalMax: 20000, perCheckoutMax: 1000 }), 'c'.repeat(64));
    const results = await Promise.all(Array.from({ length: 40 }, () => repo.spend('mdt_race', 1000, now)));
    expect(results.filter((r) => r === undefined)).toHaveLength(20);
    expect(results.filter((r) => r !== undefined).every((r) => r === 'total_max')).toBe(true);
    const stored = await repo.get('mdt_race');
    expect(stored).toMatchObject({ spent: 20000, checkoutsCount: 20 });
  });

  it('names the rule a spend breaks: per checkout, count, expiry, revocation', async () => {
    await repo.create(mandate('mdt_rules', { maxCheckouts: 1 }), 'd'.repeat(64));
    expect(await repo.spend('mdt_rules', 5001, now)).toBe('per_checkout_max');
    expect(await repo.spend('mdt_rules', 100, now)).toBeUndefined();
    expect(await repo.spend('mdt_rules', 100, now)).toBe('max_checkouts');
    expect(await repo.spend('mdt_rules', 100, '2027-01-01T00:00:00.000Z')).toBe('expired');
    await repo.revoke('mdt_rules', now);
    expect(await repo.spend('mdt_rules', 100, now)).toBe('revoked');
  });

  it('gives a spend back on release', async () => {
    await repo.create(mandate('mdt_release', { maxCheckouts: 1 }), 'e'.repeat(64));
    expect(await repo.spend('mdt_release', 5000, now)).toBeUndefined();
    await repo.release('mdt_release', 5000);
    expect(await repo.get('mdt_release')).toMatchObject({ spent: 0, checkoutsCount: 0 });
    expect(await repo.spend('mdt_release', 5000, now)).toBeUndefined();
  });

  it('revokes once: a second revoke keeps the first time', async () => {
    await repo.create(mandate('mdt_revoke'), 'f'.repeat(64));
    expect((await repo.revoke('mdt_revoke', now))?.revokedAt).toBe(now);
    expect((await repo.revoke('mdt_revoke', '2026-12-02T00:00:00.000Z'))?.revokedAt).toBe(now);
  });

  it('lists a payer\'s mandates newest first, and all of them for ops', async () => {
    await repo.create(mandate('mdt_l1', { payerSub: 'lister', createdAt: '2026-12-01T00:00:01.000Z' }), '1'.repeat(64));
    await repo.create(mandate('mdt_l2', { payerSub: 'lister', createdAt: '2026-12-01T00:00:02.000Z' }), '2'.repeat(64));
    expect((await repo.listByPayer('lister', { limit: 10 })).items.map((m) => m.id)).toEqual(['mdt_l2', 'mdt_l1']);
    expect((await repo.listAll({ limit: 100 })).items.length).toBeGreaterThanOrEqual(2);
  });
});
