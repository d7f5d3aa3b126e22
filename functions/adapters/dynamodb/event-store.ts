// Events in the payments table (single-table design).
//   event:     pk EVENT#<id>, sk EVENT; deliveries a map by endpoint id, updated in
//              place (one attempt's claim or outcome is one conditional UpdateItem).
//              Listed newest first through by-created (gsi4pk EVENTS) and, per type,
//              by-account (gsi1pk EVENT_TYPE#<type>): sparse reuse of the generic indexes.
//              `expires_at` (epoch seconds) is the table's TTL; reads check it too.
//   published: pk PUBLISHED#<subject id>, sk PUBLISHED: the highest version whose
//              events are all stored (the local publisher's marker).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, EventBody, EventType, StoredEvent } from '#functions/domain/events.ts';
import { TableRepository, type DynamoDbRepositoryOptions } from '#functions/adapters/dynamodb/clients.ts';
import { queryNewestFirst } from '#functions/adapters/dynamodb/page-cursor.ts';
import { putIfAbsent } from '#functions/adapters/dynamodb/put-if-absent.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import type { AttemptRecord, EventStore } from '#functions/ports/event-store.ts';

const eventKey = (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' });
const publishedKey = (subjectId: string) => ({ pk: `PUBLISHED#${subjectId}`, sk: 'PUBLISHED' });
const allEventsPartition = 'EVENTS';

export class DynamoDbEventStore extends TableRepository implements EventStore {
  constructor(
    options: DynamoDbRepositoryOptions,
    private readonly now: () => number = Date.now,
  ) {
    super(options);
  }

  putIfAbsent(event: StoredEvent): Promise<boolean> {
    const sortKey = `${event.body.created_at}#${event.body.id}`;
    return putIfAbsent(this.table, {
      ...eventKey(event.body.id),
      entity: 'event',
      gsi4pk: allEventsPartition,
      gsi4sk: sortKey,
      gsi1pk: `EVENT_TYPE#${event.body.type}`,
      gsi1sk: sortKey,
      body: event.body,
      deliveries: Object.fromEntries(event.deliveries.map((d) => [d.endpointId, d])),
      expiresAtMs: event.expiresAt,
      expires_at: Math.ceil(event.expiresAt / 1000),
    });
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: eventKey(id), ConsistentRead: true }));
    const event = result.Item ? eventFrom(result.Item) : undefined;
    return event && event.expiresAt > this.now() ? event : undefined;
  }

  async list(page: PageRequest & { type?: EventType }): Promise<Page<StoredEvent>> {
    const byType = page.type !== undefined;
    const result = await queryNewestFirst(
      this.client,
      {
        tableName: this.tableName,
        indexName: byType ? 'by-account' : 'by-created',
        tableKeyNames: ['pk', 'sk'],
        partitionKeyName: byType ? 'gsi1pk' : 'gsi4pk',
        sortKeyName: byType ? 'gsi1sk' : 'gsi4sk',
        partitionValue: byType ? `EVENT_TYPE#${page.type}` : allEventsPartition,
      },
      { limit: page.limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) },
    );
    // TTL deletes within days of expiry, not at once: expired ones are left out here.
    const now = this.now();
    return { items: result.items.map(eventFrom).filter((e) => e.expiresAt > now), nextCursor: result.nextCursor };
  }

  async claimScheduledAttempt(eventId: string, endpointId: string, dueAt: string, nextAttemptAt: string | null): Promise<Delivery | undefined> {
    return this.update(eventId, endpointId, {
      UpdateExpression: 'SET #d.#e.attempts = #d.#e.attempts + :one, #d.#e.scheduledAttempts = #d.#e.scheduledAttempts + :one, #d.#e.nextAttemptAt = :next',
      ConditionExpression: '#d.#e.#s = :pending AND #d.#e.nextAttemptAt = :due',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':next': nextAttemptAt, ':pending': 'pending', ':due': dueAt },
    });
  }

  async claimExtraAttempt(eventId: string, endpointId: string): Promise<Delivery | undefined> {
    return this.update(eventId, endpointId, {
      UpdateExpression: 'SET #d.#e.attempts = #d.#e.attempts + :one',
      ConditionExpression: 'attribute_exists(#d.#e)',
      ExpressionAttributeValues: { ':one': 1 },
    });
  }

  async recordAttempt(eventId: string, endpointId: string, record: AttemptRecord): Promise<void> {
    const sets = ['#d.#e.lastStatusCode = :code'];
    const values: Record<string, unknown> = { ':code': record.lastStatusCode };
    if (record.status) {
      sets.push('#d.#e.#s = :status');
      values[':status'] = record.status;
    }
    if (record.clearNextAttempt) {
      sets.push('#d.#e.nextAttemptAt = :null');
      values[':null'] = null;
    }
    if (record.onlyIfPending) values[':pending'] = 'pending';
    await this.update(eventId, endpointId, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: record.onlyIfPending ? '#d.#e.#s = :pending' : 'attribute_exists(#d.#e)',
      ExpressionAttributeNames: record.status || record.onlyIfPending ? { '#s': 'status' } : {},
      ExpressionAttributeValues: values,
    });
  }

  async publishedVersion(subjectId: string): Promise<number> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: publishedKey(subjectId), ConsistentRead: true }));
    return (result.Item?.['version'] as number | undefined) ?? 0;
  }

  async markPublished(subjectId: string, version: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...publishedKey(subjectId), entity: 'published', version },
          // Never backwards: two publishers racing leave the higher mark.
          ConditionExpression: 'attribute_not_exists(version) OR version < :v',
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listPendingSince(sinceIso: string): Promise<StoredEvent[]> {
    const found: StoredEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'by-created',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk > :since',
          ExpressionAttributeValues: { ':pk': allEventsPartition, ':since': sinceIso },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        const event = eventFrom(item);
        if (event.deliveries.some((d) => d.status === 'pending')) found.push(event);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  private async update(
    eventId: string,
    endpointId: string,
    expression: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<Delivery | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: eventKey(eventId),
          ...expression,
          ExpressionAttributeNames: { '#d': 'deliveries', '#e': endpointId, ...expression.ExpressionAttributeNames },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (result.Attributes?.['deliveries'] as Record<string, Delivery> | undefined)?.[endpointId];
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

function eventFrom(item: Record<string, unknown>): StoredEvent {
  const deliveries = Object.values((item['deliveries'] as Record<string, Delivery> | undefined) ?? {});
  deliveries.sort((a, b) => a.endpointId.localeCompare(b.endpointId));
  return { body: item['body'] as EventBody, deliveries, expiresAt: item['expiresAtMs'] as number };
}
