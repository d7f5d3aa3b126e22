// Audit records in their own table (table-definitions.ts, `auditTable`): one item
// per record, keyed by its id, written once with a conditional put and never
// updated or deleted by any code (the functions' roles cannot either: only
// PutItem, see lib/constructs/grants.ts). Four sparse indexes share one sort key
// (`at#id`) to list newest first: every record, one actor's, one resource's, one
// action's. A query with several filters reads the most selective index and
// filters the rest; pages are filled by reading on until `limit` matches.
// expires_at is the table's TTL (retention, at least 366 days); listings also
// skip expired records themselves, since dynalite has no TTL.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { type AuditLog, type AuditQuery } from '#functions/ports/audit-log.ts';
import { AuditRecordExistsError, type AuditRecord } from '#functions/domain/audit-record.ts';
import type { Page } from '#functions/domain/page.ts';
import type { DynamoDbRepositoryOptions } from './clients.ts';
import { decodeCursor, encodeCursor, maxPageLimit } from './page-cursor.ts';

export interface DynamoDbAuditLogOptions extends DynamoDbRepositoryOptions {
  /** Days a record is kept (the TTL); more than 365. */
  retentionDays: number;
  /** Milliseconds since the epoch, for the expiry check of listings. */
  now?: () => number;
}

/** Index partitions: a constant for "every record", else the filtered value itself. */
const everyRecord = 'audit';
/** DynamoDB limits a GSI partition key to 2048 bytes: a longer value is not indexed (and never queried). */
const maxIndexedBytes = 1024;

type IndexName = 'by-time' | 'by-actor' | 'by-resource' | 'by-action';
export const auditIndexKeys: Record<IndexName, string> = {
  'by-time': 'gsi_all',
  'by-actor': 'gsi_actor',
  'by-resource': 'gsi_resource',
  'by-action': 'gsi_action',
};

interface AuditItem extends AuditRecord {
  sk: string;
  expires_at: number;
  gsi_all: string;
  gsi_actor?: string;
  gsi_resource?: string;
  gsi_action?: string;
}

const indexable = (value: string | null): value is string => value !== null && value !== '' && Buffer.byteLength(value) <= maxIndexedBytes;

export class DynamoDbAuditLog implements AuditLog {
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbAuditLogOptions) {
    if (!(options.retentionDays > 365)) throw new Error('Audit records are kept more than 365 days');
    this.now = options.now ?? Date.now;
  }

  async append(record: AuditRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(record.at) / 1000) + this.options.retentionDays * 86_400;
    const item: AuditItem = {
      ...record,
      sk: `${record.at}#${record.id}`,
      expires_at: expiresAt,
      gsi_all: everyRecord,
      ...(indexable(record.actor.sub) ? { gsi_actor: record.actor.sub } : {}),
      ...(indexable(record.resource.id) ? { gsi_resource: record.resource.id } : {}),
      ...(indexable(record.action) ? { gsi_action: record.action } : {}),
    };
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          // Append-only: a put never replaces a record.
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new AuditRecordExistsError(record.id);
      throw error;
    }
  }

  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxPageLimit) {
      throw new InvalidRequestError('parameter_invalid', `limit must be an integer from 1 to ${maxPageLimit}`, { param: 'limit' });
    }
    // The most selective filter picks the index; the others become a filter expression.
    const [indexName, partitionValue]: [IndexName, string] =
      query.resourceId !== undefined
        ? ['by-resource', query.resourceId]
        : query.actor !== undefined
          ? ['by-actor', query.actor]
          : query.action !== undefined
            ? ['by-action', query.action]
            : ['by-time', everyRecord];
    const partitionKeyName = auditIndexKeys[indexName];
    const keyNames = ['id', partitionKeyName, 'sk'];
    const empty: Page<AuditRecord> = { items: [], nextCursor: null };
    if (!indexable(partitionValue)) {
      if (query.cursor !== undefined) decodeCursor(query.cursor, keyNames, { partitionKeyName, partitionValue: '' });
      return empty;
    }
    let startKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, keyNames, { partitionKeyName, partitionValue });

    const names: Record<string, string> = { '#pk': partitionKeyName, '#expires': 'expires_at' };
    const values: Record<string, unknown> = { ':pk': partitionValue, ':now': Math.floor(this.now() / 1000) };
    const filters = ['#expires > :now'];
    if (query.actor !== undefined && indexName !== 'by-actor') {
      Object.assign(names, { '#actor': 'actor', '#sub': 'sub' });
      values[':actor'] = query.actor;
      filters.push('#actor.#sub = :actor');
    }
    if (query.action !== undefined && indexName !== 'by-action') {
      names['#action'] = 'action';
      values[':action'] = query.action;
      filters.push('#action = :action');
    }

    // One more than asked for tells whether another page exists.
    const found: AuditItem[] = [];
    do {
      const result = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit + 1 - found.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      // The filter runs on the server; expiry is checked here too, in case a server ignores it.
      const now = this.now() / 1000;
      found.push(...((result.Items ?? []) as AuditItem[]).filter((item) => Number(item.expires_at) > now));
      startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
    } while (found.length <= query.limit && startKey !== undefined);

    const items = found.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(recordOf),
      nextCursor: found.length > query.limit && last ? encodeCursor(last as unknown as Record<string, unknown>, keyNames) : null,
    };
  }
}

function recordOf(item: AuditItem): AuditRecord {
  return {
    id: item.id,
    at: item.at,
    action: item.action,
    actor: {
      sub: item.actor.sub ?? null,
      roles: [...(item.actor.roles ?? [])],
      mandate_id: item.actor.mandate_id ?? null,
      ip: item.actor.ip ?? null,
      user_agent: item.actor.user_agent ?? null,
    },
    resource: { type: item.resource.type, id: item.resource.id ?? null },
    request_id: item.request_id ?? null,
    status: item.status === null || item.status === undefined ? null : Number(item.status),
  };
}
