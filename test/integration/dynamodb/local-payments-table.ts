// A dynalite on a fresh temporary directory with the project's tables, for the
// DynamoDB integration tests. Only 127.0.0.1, fake credentials.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { ensureTables } from '#local/adapters/ensure-tables.ts';
import { tableDefinitions } from '#functions/adapters/dynamodb/table-definitions.ts';
import { startLocalDynamoDb, type LocalDynamoDb } from '#local/dynamodb.ts';

export const tableNames = { payments: 'payments-test', idempotency: 'idempotency-test', audit: 'audit-test' };

export interface LocalPaymentsTable {
  dataDir: string;
  dynamoDb: LocalDynamoDb;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  /** Stops dynalite and starts it again on the same directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalPaymentsTable(): Promise<LocalPaymentsTable> {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-dynamodb-'));
  const connect = async () => {
    const dynamoDb = await startLocalDynamoDb({ dataDir });
    const clients = createDynamoDbClients({
      region: 'us-east-1',
      endpoint: dynamoDb.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(clients.client, tableDefinitions, tableNames);
    return { dynamoDb, ...clients };
  };
  const table: LocalPaymentsTable = {
    dataDir,
    ...(await connect()),
    async restart() {
      await table.dynamoDb.close();
      Object.assign(table, await connect());
    },
    async stop() {
      await table.dynamoDb.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return table;
}
