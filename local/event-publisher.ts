// The local stand-in for the payments table's stream: it watches dynalite's
// successful PutItems (every checkout and account write is one; a mandate's
// UpdateItems are read back) and publishes the
// written item's new change entries with the same use case the stream consumer runs
// in AWS, so `data.object` is the item as written. dynalite has no streams and this
// watch lives in memory, so a marker per checkout (the highest version whose events
// are stored) is moved only after its events are: on start, one scan publishes
// whatever a process that died between a write and its publication left behind
// (the object then being the checkout as it is now).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { DynamoDbEventStore } from '#functions/adapters/dynamodb/event-store.ts';
import { DynamoDbWebhookEndpoints } from '#functions/adapters/dynamodb/webhook-endpoints.ts';
import { checkoutFromItem, mandateFromItem, merchantAccountFromItem } from '#functions/adapters/dynamodb/stream-images.ts';
import { inProcessDeliveryQueue } from '#local/adapters/in-process-delivery-queue.ts';
import { publishAccountCreated, publishMandateEvents, publishPendingChanges, type PublishDeps } from '#functions/app/events/publish.ts';
import { eventRenderer } from '#functions/http/schemas/events.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';

export interface EventPublisherOptions {
  dynamoServer: Server;
  endpoint: string;
  tableName: string;
  log?: (line: string) => void;
  /**
   * Tests: false publishes nothing as it is written, as a process dying right after
   * each write would (default: on unless PAYMENTS_LOCAL_EVENT_WATCH=off, for child processes).
   */
  watch?: boolean;
}

type StoredItem = Record<string, unknown>;

/** The items whose writes are events: checkouts (their change entries), accounts and mandates. */
const publishedEntities = ['checkout', 'merchant_account', 'mandate'];

export async function startEventPublisher(options: EventPublisherOptions): Promise<() => Promise<void>> {
  const { documentClient } = createDynamoDbClients({ region: 'us-east-1', endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = { client: documentClient, tableName: options.tableName };
  const events = new DynamoDbEventStore(table);
  const deps: PublishDeps = { events, endpoints: new DynamoDbWebhookEndpoints(table), queue: inProcessDeliveryQueue(), clock: systemClock, render: eventRenderer };

  // One publication at a time per subject: the marker then never races itself.
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  const publish = (item: StoredItem) => {
    const id = item['id'] as string;
    const next = (chains.get(id) ?? Promise.resolve()).then(() => publishItem(deps, item)).catch((error: unknown) => {
      // The marker stays behind: the next write of this subject, or the next start, publishes it.
      options.log?.(`event publication failed for ${id}: ${(error as Error).name}`);
    });
    chains.set(id, next);
    running.add(next);
    void next.finally(() => {
      running.delete(next);
      if (chains.get(id) === next) chains.delete(id);
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const put = target.endsWith('.PutItem');
    // A mandate is revoked (and spent) by UpdateItem: read the item back to see what it is now.
    if (!put && !target.endsWith('.UpdateItem')) return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('finish', () => {
      if (res.statusCode !== 200) return;
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { TableName?: string; Item?: Record<string, AttributeValue>; Key?: Record<string, AttributeValue> };
      if (request.TableName !== options.tableName) return;
      if (put && request.Item) {
        const item = unmarshall(request.Item);
        if (publishedEntities.includes(String(item['entity']))) publish(item);
        return;
      }
      const key = request.Key ? unmarshall(request.Key) : undefined;
      if (typeof key?.['pk'] !== 'string' || !key['pk'].startsWith('MANDATE#')) return;
      void documentClient
        .send(new GetCommand({ TableName: options.tableName, Key: key, ConsistentRead: true }))
        .then(({ Item }) => Item && publish(Item))
        .catch((error: unknown) => options.log?.(`event publication read failed: ${(error as Error).name}`));
    });
  };
  const watch = options.watch ?? process.env.PAYMENTS_LOCAL_EVENT_WATCH !== 'off';
  if (watch) options.dynamoServer.on('request', onRequest);

  // Catch up with what an earlier process wrote but did not publish.
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: options.tableName,
        FilterExpression: 'entity IN (:checkout, :account, :mandate)',
        ExpressionAttributeValues: { ':checkout': 'checkout', ':account': 'merchant_account', ':mandate': 'mandate' },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) publish(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  return async () => {
    options.dynamoServer.off('request', onRequest);
    await Promise.allSettled([...running]);
    documentClient.destroy();
  };
}

async function publishItem(deps: PublishDeps, item: StoredItem): Promise<void> {
  if (item['entity'] === 'checkout') {
    await publishPendingChanges(deps, checkoutFromItem(item));
    return;
  }
  if (item['entity'] === 'mandate') {
    const mandate = mandateFromItem(item);
    const publishedUpTo = await deps.events.publishedVersion(mandate.id);
    const published = await publishMandateEvents(deps, mandate, publishedUpTo);
    if (published.length > 0) await deps.events.markPublished(mandate.id, mandate.revokedAt === undefined ? 1 : 2);
    return;
  }
  const account = merchantAccountFromItem(item);
  if ((await deps.events.publishedVersion(account.id)) >= 1) return;
  await publishAccountCreated(deps, account);
  await deps.events.markPublished(account.id, 1);
}
