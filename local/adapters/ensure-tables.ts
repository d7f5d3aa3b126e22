// Creates the tables declared in table-definitions.ts where they are missing
// (the local bootstrap and integration tests; CDK owns them in AWS), then
// waits until they and their indexes are ACTIVE.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type AttributeDefinition,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '#functions/adapters/dynamodb/table-definitions.ts';

export interface EnsureTablesOptions {
  /** How long to wait for a table to become ACTIVE (default 30 s). */
  timeoutMs?: number;
}

/**
 * @param names table name per definition id; a definition without one uses its id
 * @returns the table names, per definition id
 */
export async function ensureTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
  names: Readonly<Record<string, string>> = {},
  options: EnsureTablesOptions = {},
): Promise<Record<string, string>> {
  const ensured: Record<string, string> = {};
  for (const definition of definitions) {
    const tableName = names[definition.id] ?? definition.id;
    const existing = await describe(client, tableName);
    if (!existing) {
      try {
        await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
      } catch (error) {
        // Another process created it between our describe and create: fine, wait for it.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    await waitUntilActive(client, tableName, options.timeoutMs ?? 30_000);
    ensured[definition.id] = tableName;
  }
  return ensured;
}

function createTableInput(definition: TableDefinition, tableName: string) {
  const attributes = new Map<string, KeyAttribute['type']>();
  const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => {
    attributes.set(partitionKey.name, partitionKey.type);
    if (sortKey) attributes.set(sortKey.name, sortKey.type);
    return [
      { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
      ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const tableKeys = keySchema(definition.partitionKey, definition.sortKey);
  const indexes = definition.globalSecondaryIndexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  const attributeDefinitions: AttributeDefinition[] = [...attributes].map(([name, type]) => ({
    AttributeName: name,
    AttributeType: type,
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeDefinitions,
    KeySchema: tableKeys,
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
