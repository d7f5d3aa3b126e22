// The AWS path of events: what one record of the payments table's stream means.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamChangeOf } from '#functions/adapters/dynamodb/stream-images.ts';

const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
const record = (after?: Record<string, unknown>, before?: Record<string, unknown>): DynamoDBRecord => ({
  dynamodb: { ...(after ? { NewImage: image(after) } : {}), ...(before ? { OldImage: image(before) } : {}) },
});

const mandate = {
  pk: 'MANDATE#mdt_1', sk: 'MANDATE', entity: 'mandate', id: 'mdt_1', payerSub: 'payer-1', agent: { name: 'Trip planner' }, currency: 'USD',
  perCheckoutMax: 5000, totalMax: 20000, accountIds: ['acc_1'], creditCardId: 'card-1', expiresAt: '2027-01-31T00:00:00.000Z',
  expiresAtMs: Date.parse('2027-01-31T00:00:00.000Z'), spent: 0, checkoutsCount: 0, createdAt: '2026-12-01T10:00:00.000Z',
};

describe('a payments table stream record', () => {
  it('is a checkout write with the version it had before', () => {
    const checkout = { pk: 'CHECKOUT#chk_1', sk: 'CHECKOUT', entity: 'checkout', id: 'chk_1', version: 3, actions: [], changes: [] };
    expect(streamChangeOf(record(checkout, { ...checkout, version: 2 }))).toMatchObject({ kind: 'checkout', previousVersion: 2, checkout: { id: 'chk_1', version: 3 } });
    expect(streamChangeOf(record(checkout))).toMatchObject({ kind: 'checkout', previousVersion: 0 });
  });

  it('is a new account only when the account item had no old image', () => {
    const account = { pk: 'ACCOUNT#acc_1', sk: 'ACCOUNT', entity: 'merchant_account', id: 'acc_1', name: 'Blue Bottle Cafe' };
    expect(streamChangeOf(record(account))).toMatchObject({ kind: 'account_created', account: { id: 'acc_1' } });
    expect(streamChangeOf(record(account, account))).toBeUndefined();
  });

  it('says which mandate events are already out: none for a new one, created for a spend, both once revoked', () => {
    const revoked = { ...mandate, revokedAt: '2026-12-02T10:00:00.000Z' };
    expect(streamChangeOf(record(mandate))).toMatchObject({ kind: 'mandate', publishedUpTo: 0, mandate: { id: 'mdt_1' } });
    expect(streamChangeOf(record({ ...mandate, spent: 1200 }, mandate))).toMatchObject({ kind: 'mandate', publishedUpTo: 1 });
    expect(streamChangeOf(record(revoked, mandate))).toMatchObject({ kind: 'mandate', publishedUpTo: 1, mandate: { revokedAt: revoked.revokedAt } });
    expect(streamChangeOf(record(revoked, revoked))).toMatchObject({ kind: 'mandate', publishedUpTo: 2 });
  });

  it('is nothing for a deletion or another item', () => {
    expect(streamChangeOf(record(undefined, mandate))).toBeUndefined();
    expect(streamChangeOf(record({ pk: 'VELOCITY#x', sk: 'VELOCITY', events: [1] }))).toBeUndefined();
  });
});
