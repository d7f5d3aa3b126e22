// Mandates in the payments table (single-table design).
//   mandate:       pk MANDATE#<id>, sk MANDATE; gsi2 (by payer) PAYER_MANDATES#<sub>,
//                  gsi4 (ops' listing) MANDATES, both sorted `<createdAt>#<id>`
//   token lookup:  pk AGENT_TOKEN#<sha-256 hex>, sk TOKEN → mandateId (never the token)
// Spending and revocation are single-item conditional updates on the mandate item.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TableRepository } from '#functions/adapters/dynamodb/clients.ts';
import { spendRefusal, type Mandate, type SpendRefusal } from '#functions/domain/mandate.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import type { MandateRepository } from '#functions/ports/mandate-repository.ts';

const mandateKey = (id: string) => ({ pk: `MANDATE#${id}`, sk: 'MANDATE' });
const tokenKey = (hash: string) => ({ pk: `AGENT_TOKEN#${hash}`, sk: 'TOKEN' });

export class DynamoDbMandateRepository extends TableRepository implements MandateRepository {
  async create(mandate: Mandate, tokenHash: string): Promise<void> {
    // The lookup item first: a mandate is never reachable by a token that has no mandate item yet
    // (getByTokenHash answers undefined until both exist).
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...tokenKey(tokenHash), entity: 'agent_token', mandateId: mandate.id }, ConditionExpression: 'attribute_not_exists(pk)' }));
    const sortKey = `${mandate.createdAt}#${mandate.id}`;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...mandateKey(mandate.id),
          entity: 'mandate',
          gsi2pk: `PAYER_MANDATES#${mandate.payerSub}`,
          gsi2sk: sortKey,
          gsi4pk: 'MANDATES',
          gsi4sk: sortKey,
          ...mandate,
          // Epoch ms beside the ISO string: the spend condition compares numbers.
          expiresAtMs: Date.parse(mandate.expiresAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<Mandate | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: mandateKey(id), ConsistentRead: true }));
    return result.Item ? fromItem(result.Item) : undefined;
  }

  async getByTokenHash(tokenHash: string): Promise<Mandate | undefined> {
    const pointer = await this.client.send(new GetCommand({ TableName: this.tableName, Key: tokenKey(tokenHash), ConsistentRead: true }));
    const id = pointer.Item?.['mandateId'];
    return typeof id === 'string' ? this.get(id) : undefined;
  }

  async listByPayer(payerSub: string, page: PageRequest): Promise<Page<Mandate>> {
    return this.list('by-payer', 'gsi2', `PAYER_MANDATES#${payerSub}`, page);
  }

  async listAll(page: PageRequest): Promise<Page<Mandate>> {
    return this.list('by-created', 'gsi4', 'MANDATES', page);
  }

  private list(indexName: string, prefix: 'gsi2' | 'gsi4', partitionValue: string, page: PageRequest): Promise<Page<Mandate>> {
    return this.listIndex(indexName, prefix, partitionValue, page, fromItem);
  }

  async revoke(id: string, at: string): Promise<Mandate | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: mandateKey(id),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return this.get(id);
  }

  async spend(id: string, amount: number, nowIso: string): Promise<SpendRefusal | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: mandateKey(id),
          UpdateExpression: 'ADD spent :amount, checkoutsCount :one',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAtMs > :now AND perCheckoutMax >= :amount' +
            ' AND spent <= :room AND (attribute_not_exists(maxCheckouts) OR checkoutsCount < maxCheckouts)',
          // spent + amount <= total_max, written as spent <= total_max - amount: the limit is per item,
          // so the room is computed from a read of totalMax, which never changes after creation.
          ExpressionAttributeValues: { ':amount': amount, ':one': 1, ':now': Date.parse(nowIso), ':room': await this.room(id, amount) },
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return spendRefusal(await this.get(id), amount, Date.parse(nowIso)) ?? 'total_max';
  }

  /** total_max − amount; total_max is set at creation and never updated, so reading it first is safe. */
  private async room(id: string, amount: number): Promise<number> {
    const mandate = await this.get(id);
    return (mandate?.totalMax ?? 0) - amount;
  }

  async release(id: string, amount: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: mandateKey(id),
        UpdateExpression: 'ADD spent :minus, checkoutsCount :minusOne',
        ConditionExpression: 'attribute_exists(pk) AND spent >= :amount AND checkoutsCount >= :one',
        ExpressionAttributeValues: { ':minus': -amount, ':minusOne': -1, ':amount': amount, ':one': 1 },
      }),
    );
  }
}

/** A stored mandate item (also a stream image) back to the entity. */
export function fromItem(item: Record<string, unknown>): Mandate {
  const mandate: Mandate = {
    id: item['id'] as string,
    payerSub: item['payerSub'] as string,
    agent: item['agent'] as Mandate['agent'],
    currency: item['currency'] as Mandate['currency'],
    perCheckoutMax: item['perCheckoutMax'] as number,
    totalMax: item['totalMax'] as number,
    accountIds: item['accountIds'] as string[],
    creditCardId: item['creditCardId'] as string,
    expiresAt: item['expiresAt'] as string,
    spent: item['spent'] as number,
    checkoutsCount: item['checkoutsCount'] as number,
    createdAt: item['createdAt'] as string,
  };
  if (typeof item['maxCheckouts'] === 'number') mandate.maxCheckouts = item['maxCheckouts'];
  if (typeof item['revokedAt'] === 'string') mandate.revokedAt = item['revokedAt'];
  return mandate;
}
