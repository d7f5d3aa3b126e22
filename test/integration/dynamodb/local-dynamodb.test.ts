import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { ensureTables } from '#local/adapters/ensure-tables.ts';
import { paymentsTable, tableDefinitions } from '#functions/adapters/dynamodb/table-definitions.ts';
import { startLocalDynamoDb } from '#local/dynamodb.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-dynamodb-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('startLocalDynamoDb', () => {
  it('listens on 127.0.0.1 and keeps its store under <dataDir>/dynamodb', async () => {
    const dynamoDb = await startLocalDynamoDb({ dataDir });
    try {
      expect(dynamoDb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { client } = createDynamoDbClients({ region: 'us-east-1', endpoint: dynamoDb.endpoint, credentials });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      expect((await readdir(join(dataDir, 'dynamodb'))).length).toBeGreaterThan(0);
    } finally {
      await dynamoDb.close();
    }
  });
});

describe('ensureTables', () => {
  it('creates the declared tables with their indexes, ACTIVE, and is a no-op the second time', async () => {
    const dynamoDb = await startLocalDynamoDb({ dataDir });
    try {
      const { client } = createDynamoDbClients({ region: 'us-east-1', endpoint: dynamoDb.endpoint, credentials });
      const names = { payments: 'pay', idempotency: 'idem', audit: 'aud' };
      expect(await ensureTables(client, tableDefinitions, names)).toEqual(names);
      expect(await ensureTables(client, tableDefinitions, names)).toEqual(names);
      const table = (await client.send(new DescribeTableCommand({ TableName: 'pay' }))).Table!;
      expect(table.TableStatus).toBe('ACTIVE');
      expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection?.ProjectionType]).sort()).toEqual(
        paymentsTable.globalSecondaryIndexes.map((index) => [index.indexName, 'ALL']).sort(),
      );
      const idempotency = (await client.send(new DescribeTableCommand({ TableName: 'idem' }))).Table!;
      expect(idempotency.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    } finally {
      await dynamoDb.close();
    }
  });

  it('names a table by its definition id when no name is given', async () => {
    const dynamoDb = await startLocalDynamoDb({ dataDir });
    try {
      const { client } = createDynamoDbClients({ region: 'us-east-1', endpoint: dynamoDb.endpoint, credentials });
      await ensureTables(client, [paymentsTable]);
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['payments']);
    } finally {
      await dynamoDb.close();
    }
  });
});
