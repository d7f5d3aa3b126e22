// The DynamoDB idempotency store against dynalite: each transition is one
// conditional write, so concurrent begins admit exactly one, an expired lock can
// be taken over, a stale lock holder can neither complete nor release, and an
// expired record (retention over) is reused; expiry is checked in code.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';
import { idempotencyTable } from '#functions/adapters/dynamodb/table-definitions.ts';
import type { BeginOutcome } from '#functions/ports/idempotency-store.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

let table: LocalPaymentsTable;
let store: DynamoDbIdempotencyStore;

beforeAll(async () => {
  table = await startLocalPaymentsTable();
  store = new DynamoDbIdempotencyStore({ client: table.documentClient, tableName: tableNames.idempotency, transactions: false });
});
afterAll(async () => {
  await table.stop();
});

const t0 = Date.UTC(2025, 0, 1, 12);
const lockMs = 60_000;
const retentionSeconds = 86_400;
const at = (now: number) => ({ now, lockMs, retentionSeconds });
const newKey = () => JSON.stringify(['payer-1', `order-${randomUUID()}`]);
const expiry = idempotencyTable.timeToLiveAttribute;
const response = { statusCode: 201, body: { id: 'chk_1', amount: 10_400, nested: { list: [1, 'two', null] } } };

function acquired(outcome: BeginOutcome): string {
  expect(outcome.kind).toBe('acquired');
  return (outcome as { lockToken: string }).lockToken;
}

const rawItem = async (key: string) =>
  (await table.documentClient.send(new GetCommand({ TableName: tableNames.idempotency, Key: { id: key }, ConsistentRead: true }))).Item;

describe('DynamoDbIdempotencyStore', () => {
  test('an unused key is acquired with a lock until now + lockMs and an expiry of now + retention', async () => {
    const key = newKey();
    const token = acquired(await store.begin(key, 'fp', at(t0)));
    expect(await rawItem(key)).toMatchObject({
      id: key,
      fingerprint: 'fp',
      status: 'in_progress',
      lock_token: token,
      lock_expires_at: t0 + lockMs,
      [expiry]: Math.floor(t0 / 1000) + retentionSeconds,
    });
  });

  test('while held, the same fingerprint is in_progress with the lock expiry, another fingerprint is a mismatch', async () => {
    const key = newKey();
    acquired(await store.begin(key, 'fp', at(t0)));
    expect(await store.begin(key, 'fp', at(t0 + 1_000))).toEqual({ kind: 'in_progress', lockExpiresAt: t0 + lockMs });
    expect(await store.begin(key, 'other', at(t0 + 1_000))).toEqual({ kind: 'fingerprint_mismatch' });
  });

  test('complete stores the response for replay (JSON round trip), clears the lock and extends the expiry', async () => {
    const key = newKey();
    const token = acquired(await store.begin(key, 'fp', at(t0)));
    await store.complete(key, token, response, { now: t0 + 2_000, retentionSeconds });
    expect(await store.begin(key, 'fp', at(t0 + 3_000))).toEqual({ kind: 'completed', response });
    expect(await store.begin(key, 'other', at(t0 + 3_000))).toEqual({ kind: 'fingerprint_mismatch' });
    const item = await rawItem(key);
    expect(item).toMatchObject({ status: 'completed', [expiry]: Math.floor((t0 + 2_000) / 1000) + retentionSeconds });
    expect(item).not.toHaveProperty('lock_token');
    expect(item).not.toHaveProperty('lock_expires_at');
  });

  test('a completed response is replayed until the retention is over, even long after the lock would have expired', async () => {
    const key = newKey();
    const token = acquired(await store.begin(key, 'fp', at(t0)));
    await store.complete(key, token, response, { now: t0, retentionSeconds });
    expect((await store.begin(key, 'fp', at(t0 + 23 * 3600_000))).kind).toBe('completed');
    // Past the retention the record is as good as gone (dynalite has no TTL: checked in code).
    const again = await store.begin(key, 'other', at(t0 + (retentionSeconds + 2) * 1000));
    expect(again.kind).toBe('acquired');
  });

  test('release frees the key: the next begin acquires it, with any fingerprint', async () => {
    const key = newKey();
    const token = acquired(await store.begin(key, 'fp', at(t0)));
    await store.release(key, token);
    expect(await rawItem(key)).toBeUndefined();
    acquired(await store.begin(key, 'fp-2', at(t0 + 1)));
  });

  test('an expired lock is taken over with a new token; the crashed holder can then neither complete nor release', async () => {
    const key = newKey();
    const crashed = acquired(await store.begin(key, 'fp', at(t0)));
    expect((await store.begin(key, 'fp', at(t0 + lockMs))).kind).toBe('in_progress');
    const retry = acquired(await store.begin(key, 'fp', at(t0 + lockMs + 1)));
    expect(retry).not.toBe(crashed);

    await store.complete(key, crashed, { statusCode: 201, body: { from: 'crashed' } }, { now: t0 + lockMs + 2, retentionSeconds });
    await store.release(key, crashed);
    expect(await rawItem(key)).toMatchObject({ status: 'in_progress', lock_token: retry });

    await store.complete(key, retry, response, { now: t0 + lockMs + 3, retentionSeconds });
    expect(await store.begin(key, 'fp', at(t0 + lockMs + 4))).toEqual({ kind: 'completed', response });
  });

  test('an expired lock held for another fingerprint is still a mismatch, not a takeover', async () => {
    const key = newKey();
    acquired(await store.begin(key, 'fp', at(t0)));
    // The key was used with another request: a different body must not replace it, even once the lock expired.
    expect(await store.begin(key, 'other', at(t0 + lockMs + 1))).toEqual({ kind: 'fingerprint_mismatch' });
  });

  test('a completed record is never taken over by lock expiry', async () => {
    const key = newKey();
    const token = acquired(await store.begin(key, 'fp', at(t0)));
    await store.complete(key, token, response, { now: t0, retentionSeconds });
    expect((await store.begin(key, 'fp', at(t0 + lockMs * 10))).kind).toBe('completed');
  });

  test('of 25 concurrent begins on one key exactly one acquires; the others see it in progress', async () => {
    const key = newKey();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => store.begin(key, 'fp', at(t0))));
    expect(outcomes.filter((o) => o.kind === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'in_progress')).toHaveLength(24);
  });

  test('of concurrent takeovers of one expired lock exactly one acquires', async () => {
    const key = newKey();
    acquired(await store.begin(key, 'fp', at(t0)));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.begin(key, 'fp', at(t0 + lockMs + 1))));
    expect(outcomes.filter((o) => o.kind === 'acquired')).toHaveLength(1);
  });
});
