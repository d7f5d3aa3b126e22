// Velocity counters in the payments table: pk VELOCITY#<counter key>, sk VELOCITY,
// holding recent event timestamps. A record is one atomic list append (concurrent
// events all count, no retry loop); a counter that has grown past twice its limit
// is trimmed by a conditional write that gives way to any newer append.
// expires_at, the table's TTL attribute, lets AWS collect idle counters; code
// ignores events outside the window anyway (dynalite has no TTL).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventsInWindow, type WindowRule } from '#functions/domain/velocity.ts';
import type { VelocityStore } from '#functions/ports/velocity-store.ts';
import type { DynamoDbRepositoryOptions } from './clients.ts';

interface CounterItem {
  pk: string;
  sk: 'VELOCITY';
  events: number[];
  expires_at: number;
}

const counterKey = (key: string) => ({ pk: `VELOCITY#${key}`, sk: 'VELOCITY' as const });

export class DynamoDbVelocityStore implements VelocityStore {
  constructor(private readonly options: DynamoDbRepositoryOptions) {}

  async recent(keys: readonly string[], now: number): Promise<ReadonlyMap<string, readonly number[]>> {
    const found = new Map<string, readonly number[]>();
    if (keys.length === 0) return found;
    const { Responses } = await this.options.client.send(
      new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: keys.map(counterKey), ConsistentRead: true } } }),
    );
    for (const item of (Responses?.[this.options.tableName] ?? []) as CounterItem[]) {
      if (Number(item.expires_at) * 1000 <= now) continue;
      found.set(item.pk.slice('VELOCITY#'.length), item.events);
    }
    return found;
  }

  async record(key: string, at: number, rule: WindowRule): Promise<void> {
    // One atomic append, so concurrent events all count without a retry loop.
    const { Attributes } = await this.options.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: counterKey(key),
        UpdateExpression: 'SET events = list_append(if_not_exists(events, :none), :event), expires_at = :expires',
        ExpressionAttributeValues: { ':none': [], ':event': [at], ':expires': Math.ceil((at + rule.windowMs) / 1000) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const events = (Attributes as CounterItem).events;
    if (events.length <= 2 * rule.limit) return;
    // Trim to what the window needs, unless another event landed meanwhile (the next record trims then).
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: counterKey(key),
          UpdateExpression: 'SET events = :kept',
          ConditionExpression: 'size(events) = :length',
          ExpressionAttributeValues: { ':kept': keptEvents(events, at, rule), ':length': events.length },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The window's events at `at`, at most the limit of them (enough to judge the next attempt). */
function keptEvents(events: readonly number[], at: number, rule: WindowRule): number[] {
  return eventsInWindow(events, at, rule.windowMs).sort((a, b) => a - b).slice(-rule.limit);
}
