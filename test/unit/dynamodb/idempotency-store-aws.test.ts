// The idempotency store's AWS path against a mocked DynamoDB: begin() is one call
// whatever the outcome. DynamoDB hands back the record that refused the claim
// (ReturnValuesOnConditionCheckFailure) and the one a claim replaced (ReturnValues),
// so a replay, a conflict and a takeover need no read. dynalite returns neither
// refusing record, which is why the store reads it there (the local-only fallback,
// covered by test/integration/dynamodb/idempotency-store.test.ts).
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(documentClient);
const store = new DynamoDbIdempotencyStore({ client: documentClient, tableName: 'idempotency' });

const now = Date.UTC(2025, 0, 1, 12);
const options = { now, lockMs: 60_000, retentionSeconds: 86_400 };
const nowSeconds = Math.floor(now / 1000);
const response = { statusCode: 201, body: { id: 'chk_1', amount: 10_400 } };

/** DynamoDB's refusal, carrying the refusing record in its wire format as the service sends it. */
const refusedBy = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: marshall(item, { removeUndefinedValues: true }) });

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoDbIdempotencyStore.begin in AWS', () => {
  test('a replay is one conditional put: the completed record comes back with the refusal, and nothing is read', async () => {
    dynamo.on(PutCommand).rejects(refusedBy({ id: 'k', fingerprint: 'f1', status: 'completed', response, expiration: nowSeconds + 100 }));
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'completed', response });
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ReturnValues: 'ALL_OLD' });
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  test('another body with the key is refused from the returned record alone', async () => {
    dynamo.on(PutCommand).rejects(refusedBy({ id: 'k', fingerprint: 'other', status: 'completed', response, expiration: nowSeconds + 100 }));
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'fingerprint_mismatch' });
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  test('a request in flight is reported with its lock expiry, from the returned record alone', async () => {
    dynamo.on(PutCommand).rejects(refusedBy({ id: 'k', fingerprint: 'f1', status: 'in_progress', lock_token: 't', lock_expires_at: now + 3_000, expiration: nowSeconds + 100 }));
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'in_progress', lockExpiresAt: now + 3_000 });
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  test('a free key is claimed in one call, as a fresh attempt', async () => {
    dynamo.on(PutCommand).resolves({});
    const began = await store.begin('k', 'f1', options);
    expect(began).toMatchObject({ kind: 'acquired', resumed: false });
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  test('taking over a record left without an outcome is a resumed attempt; replacing an expired one is not', async () => {
    dynamo
      .on(PutCommand)
      .resolvesOnce({ Attributes: { id: 'k', fingerprint: 'f1', status: 'in_progress', lock_expires_at: 0, expiration: nowSeconds + 100 } })
      .resolvesOnce({ Attributes: { id: 'k', fingerprint: 'old', status: 'completed', expiration: nowSeconds - 1 } });
    expect(await store.begin('k', 'f1', options)).toMatchObject({ kind: 'acquired', resumed: true });
    expect(await store.begin('k', 'f1', options)).toMatchObject({ kind: 'acquired', resumed: false });
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  test('without the record on the refusal (dynalite), the store reads it once', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { id: 'k', fingerprint: 'f1', status: 'completed', response, expiration: nowSeconds + 100 } });
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'completed', response });
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 1);
  });
});
