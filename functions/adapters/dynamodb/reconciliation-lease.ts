// The reconciliation lease in the payments table: pk RECONCILER, sk LEASE.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbRepositoryOptions } from '#functions/adapters/dynamodb/clients.ts';
import type { LeaseOutcome, ReconciliationLease } from '#functions/ports/reconciliation-lease.ts';
import { paymentsTable } from './table-definitions.ts';

const leaseKey = { pk: 'RECONCILER', sk: 'LEASE' };

export class DynamoDbReconciliationLease implements ReconciliationLease {
  constructor(private readonly options: DynamoDbRepositoryOptions) {}

  async acquire(token: string, now: number, durationMs: number): Promise<LeaseOutcome> {
    const expiresAt = now + durationMs;
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...leaseKey, entity: 'reconciliation_lease', token, leaseExpiresAt: expiresAt, [paymentsTable.timeToLiveAttribute]: Math.ceil(expiresAt / 1000) + 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: leaseKey, ConsistentRead: true }));
    return { acquired: false, expiresAt: typeof Item?.['leaseExpiresAt'] === 'number' ? Item['leaseExpiresAt'] : now + 1000 };
  }

  async release(token: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: leaseKey,
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
