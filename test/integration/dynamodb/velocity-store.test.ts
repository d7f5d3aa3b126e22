import { DynamoDbVelocityStore } from '#functions/adapters/dynamodb/velocity-store.ts';
import type { WindowRule } from '#functions/domain/velocity.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

const rule: WindowRule = { dimension: 'payer_creates', limit: 100, windowMs: 60_000 };
const now = Date.parse('2026-12-01T12:00:00Z');

describe('DynamoDB velocity counters (dynalite)', () => {
  let table: LocalPaymentsTable;
  let store: DynamoDbVelocityStore;

  beforeAll(async () => {
    table = await startLocalPaymentsTable();
    store = new DynamoDbVelocityStore({ client: table.documentClient, tableName: tableNames.payments });
  });
  afterAll(async () => {
    await table.stop();
  });

  it('counts every one of 25 concurrent records of one counter', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.record('concurrent', now + i, rule)));
    const recent = await store.recent(['concurrent'], now + 1_000);
    expect([...(recent.get('concurrent') ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => now + i));
  });

  it('reads several counters in one call, and none for an unknown or expired one', async () => {
    await store.record('a', now, rule);
    await store.record('b', now, rule);
    const recent = await store.recent(['a', 'b', 'never-written'], now + 1);
    expect(new Set(recent.keys())).toEqual(new Set(['a', 'b']));
    expect((await store.recent(['a'], now + rule.windowMs + 1_000)).size).toBe(0);
  });

  it('stays bounded: never more than twice the limit of events, always the newest ones', async () => {
    const small = { ...rule, limit: 3 };
    for (let i = 0; i < 10; i++) {
      await store.record('bounded', now + i * 1_000, small);
      const events = (await store.recent(['bounded'], now + i * 1_000)).get('bounded') ?? [];
      expect(events.length).toBeLessThanOrEqual(2 * small.limit);
      expect(events).toEqual(expect.arrayContaining([now + i * 1_000, ...(i >= 2 ? [now + (i - 1) * 1_000, now + (i - 2) * 1_000] : [])]));
    }
  });
});
