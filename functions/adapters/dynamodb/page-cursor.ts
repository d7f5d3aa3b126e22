// Newest-first pages over one partition of an index, with an opaque cursor:
// base64url of the last returned item's key. A cursor is only accepted for
// the partition it came from, so a forged one cannot reach another listing.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

export const maxPageLimit = 100;

export interface IndexPartition {
  tableName: string;
  indexName: string;
  /** The table's own key attributes, part of every index's LastEvaluatedKey. */
  tableKeyNames: readonly [string, string];
  partitionKeyName: string;
  sortKeyName: string;
  partitionValue: string;
}

type Key = Record<string, string>;

export async function queryNewestFirst(
  client: DynamoDBDocumentClient,
  partition: IndexPartition,
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > maxPageLimit) {
    throw new InvalidRequestError('parameter_invalid', `limit must be an integer from 1 to ${maxPageLimit}`, {
      param: 'limit',
    });
  }
  const keyNames = [...partition.tableKeyNames, partition.partitionKeyName, partition.sortKeyName];
  const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, keyNames, partition);
  // One more than asked for tells whether another page exists, so the last page says null instead of leading to an empty one.
  const result = await client.send(
    new QueryCommand({
      TableName: partition.tableName,
      IndexName: partition.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.partitionKeyName },
      ExpressionAttributeValues: { ':pk': partition.partitionValue },
      ScanIndexForward: false,
      Limit: page.limit + 1,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const found = result.Items ?? [];
  const items = found.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor = found.length > page.limit && last ? encodeCursor(last, keyNames) : null;
  return { items, nextCursor };
}

/** The opaque cursor after `item`: base64url of its key attributes (also used by the audit log's filtered pages). */
export function encodeCursor(item: Record<string, unknown>, keyNames: readonly string[]): string {
  const key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key a cursor stands for; 400 parameter_invalid unless it came from this partition's listing. */
export function decodeCursor(
  cursor: string,
  keyNames: readonly string[],
  partition: Pick<IndexPartition, 'partitionKeyName' | 'partitionValue'>,
): Key {
  const malformed = () =>
    new InvalidRequestError('parameter_invalid', 'cursor is not a cursor this listing returned', { param: 'cursor' });
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw malformed();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw malformed();
  const entries = Object.entries(decoded);
  const wellFormed =
    entries.length === keyNames.length &&
    entries.every(([name, value]) => keyNames.includes(name) && typeof value === 'string' && value.length > 0);
  if (!wellFormed || (decoded as Key)[partition.partitionKeyName] !== partition.partitionValue) throw malformed();
  return decoded as Key;
}
