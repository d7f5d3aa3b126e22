// The idempotency store's AWS path against a mocked DynamoDB: begin() is one call
// whatever the outcome. DynamoDB hands back the record that refused the claim
// (ReturnValuesOnConditionCheckFailure) and the one a claim replaced (ReturnValues),
// so a replay, a conflict and a takeover need no read. dynalite returns neither
// refusing record, which is why the store reads it there (the local-only fallback,
// covered by test/integration/dynamodb/idempotency-store.test.ts). completeWith() is one
// transaction (dynalite has none: locally it declines and the caller writes step by step).
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import { captureOutput } from '../../support/log-capture.ts';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(documentClient);
const store = new DynamoDbIdempotencyStore({ client: documentClient, tableName: 'idempotency', transactions: true });

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

  test('a claim meeting another attempt\'s transaction on the record (it is storing its answer) is in flight, not an error', async () => {
    dynamo.on(PutCommand).rejects(new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} }));
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'in_progress', lockExpiresAt: now + 1_000 });
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  test('without the record on the refusal (dynalite), the store reads it once', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { id: 'k', fingerprint: 'f1', status: 'completed', response, expiration: nowSeconds + 100 } });
    expect(await store.begin('k', 'f1', options)).toEqual({ kind: 'completed', response });
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 1);
  });
});

describe('DynamoDbIdempotencyStore.completeWith in AWS', () => {
  const completion = { now, retentionSeconds: 86_400 };
  // What another repository on the table prepared (CheckoutRepository.createdWrites).
  const writes = [
    { Put: { TableName: 'payments', Item: { pk: 'CHECKOUT#chk_1', sk: 'CHECKOUT' }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Delete: { TableName: 'payments', Key: { pk: 'RECONCILE#OPEN', sk: 'CREATION#chk_1' } } },
  ] as unknown as AtomicWrite[];

  test('stores the answer and the writes in one transaction, the answer only while this request holds the lock', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    expect(await store.completeWith('k', 'lock-1', response, completion, writes)).toBe(true);
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(dynamo.calls()).toHaveLength(1);
    const input = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    expect(input.ClientRequestToken).toBe('lock-1');
    expect(input.TransactItems).toEqual([
      {
        Update: expect.objectContaining({
          TableName: 'idempotency',
          Key: { id: 'k' },
          ConditionExpression: 'lock_token = :lockToken',
          ExpressionAttributeValues: { ':completed': 'completed', ':response': response, ':expires': nowSeconds + 86_400, ':lockToken': 'lock-1' },
        }),
      },
      ...(writes as unknown[]),
    ]);
  });

  // DynamoDB writes nothing of a cancelled transaction, whatever the reason: the caller then writes step by step.
  test.each(['ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError'])('a transaction cancelled for %s answers false, and logs the reasons\' codes alone', async (code) => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: code, Item: marshall({ id: 'k', response }) }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    const output = captureOutput();
    try {
      expect(await store.completeWith('k', 'lock-1', response, completion, writes)).toBe(false);
    } finally {
      output.restore();
    }
    const line = JSON.parse(output.text().trim().split('\n').at(-1)!) as { message: string; reasons: string[] };
    expect(line).toMatchObject({ message: 'transaction cancelled; writing step by step', reasons: [code, 'None', 'None'] });
    expect(output.text()).not.toContain('chk_1');
  });

  test('any other failure is thrown: its outcome is unknown', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('socket hang up'));
    await expect(store.completeWith('k', 'lock-1', response, completion, writes)).rejects.toThrow('socket hang up');
  });

  test('without transactions (dynalite) it declines without a call', async () => {
    const local = new DynamoDbIdempotencyStore({ client: documentClient, tableName: 'idempotency', transactions: false });
    expect(await local.completeWith('k', 'lock-1', response, completion, writes)).toBe(false);
    expect(dynamo.calls()).toHaveLength(0);
  });
});
