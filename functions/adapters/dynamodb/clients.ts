// The process's DynamoDB clients, created once (a Lambda reuses them across
// invocations; the local runtime shares them between handlers).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import { queryNewestFirst } from './page-cursor.ts';

export interface DynamoDbClientOptions {
  region: string;
  /** The local dynalite endpoint; unset in AWS. */
  endpoint?: string | undefined;
  /** Only for local runs and tests (dynalite accepts any); in AWS the default provider chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface DynamoDbClients {
  /** The low-level client, for table management and libraries that want one (e.g. Powertools idempotency). */
  client: DynamoDBClient;
  /** Plain JavaScript values in and out; `undefined` attributes are dropped rather than rejected. */
  documentClient: DynamoDBDocumentClient;
}

const shared = new Map<string, DynamoDbClients>();

/** Returns the clients for these options, creating them on first use. */
export function createDynamoDbClients(options: DynamoDbClientOptions): DynamoDbClients {
  const key = JSON.stringify([options.region, options.endpoint ?? null, options.credentials?.accessKeyId ?? null]);
  let clients = shared.get(key);
  if (!clients) {
    const client = new DynamoDBClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    const documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    clients = { client, documentClient };
    shared.set(key, clients);
  }
  return clients;
}

/** What every repository over one table is built from. */
export interface DynamoDbRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** A repository over one table: its document client and the table's name. */
export abstract class TableRepository {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(options: DynamoDbRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** The client and table together, as putIfAbsent and the index helpers take them. */
  protected get table(): DynamoDbRepositoryOptions {
    return { client: this.client, tableName: this.tableName };
  }

  /** A newest-first page of one partition of an index whose key attributes are `<prefix>pk` and `<prefix>sk`. */
  protected async listIndex<T>(
    indexName: string,
    prefix: string,
    partitionValue: string,
    page: PageRequest,
    map: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const partition = { tableName: this.tableName, indexName, tableKeyNames: ['pk', 'sk'] as const, partitionKeyName: `${prefix}pk`, sortKeyName: `${prefix}sk`, partitionValue };
    const result = await queryNewestFirst(this.client, partition, page);
    return { items: result.items.map(map), nextCursor: result.nextCursor };
  }
}
