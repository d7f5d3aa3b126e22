// The process's DynamoDB clients, created once (a Lambda reuses them across
// invocations; the local runtime shares them between handlers).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '#functions/observability.ts';

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
    // Each DynamoDB call becomes an X-Ray subsegment in Lambda (a no-op elsewhere).
    const client = tracer.captureAWSv3Client(new DynamoDBClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    }));
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
