// The creation's transaction as the SDK puts it on the wire: dynalite has no
// TransactWriteItems and aws-sdk-client-mock answers before serialization, so this
// test lets the real clients marshal and serialize the request (an HTTP handler that
// keeps it and answers 200) and checks it against what DynamoDB accepts: one
// TransactWriteItems on the two tables, typed attribute values, every expression
// name and value used, nothing undefined left in an item.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCheckoutRepository } from '#functions/adapters/dynamodb/checkout-repository.ts';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';
import { checkoutFixture } from '../../support/checkout-fixture.ts';

/** What the SDK hands its HTTP handler. */
interface HttpRequest {
  headers: Record<string, string>;
  body: unknown;
}
const sent: HttpRequest[] = [];
const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: {
    handle: async (request: HttpRequest) => {
      sent.push(request);
      return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) } };
    },
  },
});
// As functions/adapters/dynamodb/clients.ts builds it.
const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
const checkouts = new DynamoDbCheckoutRepository({ client: documentClient, tableName: 'payments' });
const store = new DynamoDbIdempotencyStore({ client: documentClient, tableName: 'idempotency', transactions: true });

afterAll(() => client.destroy());

type Attributes = Record<string, Record<string, unknown>>;
interface WireItem {
  Put?: { TableName: string; Item: Attributes; ConditionExpression?: string };
  Update?: { TableName: string; Key: Attributes; UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Attributes };
  Delete?: { TableName: string; Key: Attributes };
}

test('a new checkout with its answer is one TransactWriteItems that DynamoDB accepts', async () => {
  // A checkout without a reference id: an optional field left undefined must not reach the wire.
  const checkout = checkoutFixture('chk_wire', { referenceId: undefined as unknown as string });
  const response = { statusCode: 201, body: { id: 'chk_wire', reference_id: null, amount: 1_000 } };
  const stored = await store.completeWith('["payer-1","order-1"]', '3f1c2a9e-5b7d-4e0f-9a8b-1c2d3e4f5a6b', response, { now: Date.UTC(2026, 11, 1), retentionSeconds: 86_400 }, checkouts.createdWrites(checkout, { watch: true }));
  expect(stored).toBe(true);

  expect(sent).toHaveLength(1);
  expect(sent[0]!.headers['x-amz-target']).toBe('DynamoDB_20120810.TransactWriteItems');
  const raw = sent[0]!.body;
  const body = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array)) as { TransactItems: WireItem[]; ClientRequestToken: string };
  expect(body.ClientRequestToken).toBe('3f1c2a9e-5b7d-4e0f-9a8b-1c2d3e4f5a6b');
  const [completion, put, pointer, watch, intent] = body.TransactItems;
  expect(body.TransactItems).toHaveLength(5);

  // The answer, on the idempotency record this request still holds.
  expect(completion!.Update).toMatchObject({ TableName: 'idempotency', Key: { id: { S: '["payer-1","order-1"]' } }, ConditionExpression: 'lock_token = :lockToken' });
  const update = completion!.Update!;
  const expressions = `${update.UpdateExpression} ${update.ConditionExpression}`;
  // DynamoDB refuses a request with an expression name or value no expression uses.
  for (const name of Object.keys(update.ExpressionAttributeNames)) expect(expressions).toContain(name);
  for (const value of Object.keys(update.ExpressionAttributeValues)) expect(expressions).toContain(value);
  expect(update.ExpressionAttributeValues[':response']).toEqual({ M: { statusCode: { N: '201' }, body: { M: { id: { S: 'chk_wire' }, reference_id: { NULL: true }, amount: { N: '1000' } } } } });

  // The checkout, only if absent, with its index keys; no attribute left undefined.
  expect(put!.Put).toMatchObject({ TableName: 'payments', ConditionExpression: 'attribute_not_exists(pk)' });
  expect(put!.Put!.Item).toMatchObject({ pk: { S: 'CHECKOUT#chk_wire' }, sk: { S: 'CHECKOUT' }, gsi1pk: { S: 'ACCOUNT#acc_1' }, version: { N: '1' } });
  expect(put!.Put!.Item).not.toHaveProperty('referenceId');
  expect(pointer!.Put!.Item).toMatchObject({ pk: { S: 'PROVIDER_CHECKOUT#wepay#wp-chk_wire' }, checkoutId: { S: 'chk_wire' } });
  expect(watch!.Put!.Item).toMatchObject({ pk: { S: 'RECONCILE#OPEN' }, sk: { S: 'CHECKOUT#chk_wire' } });
  expect(intent!.Delete).toEqual({ TableName: 'payments', Key: { pk: { S: 'RECONCILE#OPEN' }, sk: { S: 'CREATION#chk_wire' } } });
});
