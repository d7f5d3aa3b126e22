// Checkouts in the payments table (single-table design).
//   checkout:  pk CHECKOUT#<id>, sk CHECKOUT; listed through four indexes, all
//              sorted by `<createdAt>#<id>` (newest first, ties stable):
//              gsi1 ACCOUNT#<accountId>, gsi2 PAYER#<sub>, gsi3 OWNER#<sub>, gsi4 CHECKOUTS
//   pointer:   pk PROVIDER_CHECKOUT#<provider name>#<provider checkout id>, sk POINTER → checkoutId
//   open:      pk RECONCILE#OPEN, sk CHECKOUT#<id> (a checkout the reconciler watches) or
//              CREATION#<id> (a creation intent, with what settling it needs). One
//              partition in the base table rather than a new index: dynalite cannot add
//              an index to an existing table, and a few writes a second fit one partition.
// Single-item conditional writes, but for createdWrites (in AWS, one transaction with the
// request's stored answer: idempotency-store.ts). The pointer is written with the checkout
// (one round trip), with content that depends only on the checkout, so a retry rewrites it
// harmlessly and a pointer whose checkout write failed just resolves to nothing. A checkout
// whose pointer write failed is covered by its creation intent, which is dropped only once
// both are written (app/checkouts.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { TableRepository } from '#functions/adapters/dynamodb/clients.ts';
import { absent, putIfAbsent } from '#functions/adapters/dynamodb/put-if-absent.ts';
import { type CheckoutRepository, type OpenEntry } from '#functions/ports/checkout-repository.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import { CheckoutAlreadyExistsError, ConcurrentUpdateError, type Checkout, type CreationIntent } from '#functions/domain/checkout.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

const checkoutKey = (id: string) => ({ pk: `CHECKOUT#${id}`, sk: 'CHECKOUT' });
const openPartition = 'RECONCILE#OPEN';
const watchKey = (id: string) => ({ pk: openPartition, sk: `CHECKOUT#${id}` });
const creationKey = (id: string) => ({ pk: openPartition, sk: `CREATION#${id}` });
const providerPointerKey = (provider: string, providerCheckoutId: string) => ({
  pk: `PROVIDER_CHECKOUT#${provider}#${providerCheckoutId}`,
  sk: 'POINTER',
});

export class DynamoDbCheckoutRepository extends TableRepository implements CheckoutRepository {
  async create(checkout: Checkout): Promise<void> {
    const pointer = providerPointerItem(checkout);
    // One round trip: the pointer's content depends only on the checkout, so writing it again is harmless.
    const [, created] = await Promise.all([
      pointer && this.client.send(new PutCommand({ TableName: this.tableName, Item: pointer })),
      putIfAbsent(this.table, toItem(checkout)),
    ]);
    if (!created) throw new CheckoutAlreadyExistsError(checkout.id);
  }

  /** TransactWriteItems entries (document client form), read back by the idempotency store alone. */
  createdWrites(checkout: Checkout, { watch }: { watch: boolean }): readonly AtomicWrite[] {
    const pointer = providerPointerItem(checkout);
    const TableName = this.tableName;
    const writes = [
      { Put: { TableName, Item: toItem(checkout), ConditionExpression: absent } },
      ...(pointer ? [{ Put: { TableName, Item: pointer } }] : []),
      ...(watch ? [{ Put: { TableName, Item: watchItem(checkout.id) } }] : []),
      { Delete: { TableName, Key: creationKey(checkout.id) } },
    ];
    return writes as unknown as AtomicWrite[];
  }

  async get(id: string): Promise<Checkout | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: checkoutKey(id), ConsistentRead: true }),
    );
    return result.Item ? fromItem(result.Item) : undefined;
  }

  async getByProviderCheckoutId(provider: string, providerCheckoutId: string): Promise<Checkout | undefined> {
    const pointer = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: providerPointerKey(provider, providerCheckoutId), ConsistentRead: true }),
    );
    const checkoutId = pointer.Item?.['checkoutId'];
    if (typeof checkoutId !== 'string') return undefined;
    const checkout = await this.get(checkoutId);
    return checkout?.provider.checkoutId === providerCheckoutId ? checkout : undefined;
  }

  async update(checkout: Checkout, expectedVersion: number): Promise<Checkout> {
    const stored: Checkout = { ...checkout, version: expectedVersion + 1 };
    // No pointer write: the provider id is set at creation (create() writes the pointer) and never changes.
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(stored),
          // A missing item has no version, so this also refuses to resurrect one.
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConcurrentUpdateError(checkout.id, expectedVersion);
      throw error;
    }
    return stored;
  }

  listByAccount(accountId: string, page: PageRequest): Promise<Page<Checkout>> {
    return this.list('by-account', 'gsi1', `ACCOUNT#${accountId}`, page);
  }

  listByPayer(payerSub: string, page: PageRequest): Promise<Page<Checkout>> {
    return this.list('by-payer', 'gsi2', `PAYER#${payerSub}`, page);
  }

  listByOwner(ownerSub: string, page: PageRequest): Promise<Page<Checkout>> {
    return this.list('by-owner', 'gsi3', `OWNER#${ownerSub}`, page);
  }

  listAll(page: PageRequest): Promise<Page<Checkout>> {
    return this.list('by-created', 'gsi4', allCheckoutsPartition, page);
  }

  async getMany(ids: readonly string[]): Promise<Checkout[]> {
    const found: Checkout[] = [];
    let keys = [...new Set(ids)].map(checkoutKey);
    // BatchGet may leave keys unprocessed under load: ask again for those.
    for (let round = 0; keys.length > 0; round++) {
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[this.tableName] ?? []).map(fromItem));
      keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      if (keys.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** round)));
    }
    return found;
  }

  recordCreationIntent(intent: CreationIntent): Promise<boolean> {
    return putIfAbsent(this.table, { ...creationKey(intent.checkoutId), entity: 'creation_intent', ...intent });
  }

  async clearCreationIntent(checkoutId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: creationKey(checkoutId) }));
  }

  async watch(checkoutId: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: watchItem(checkoutId) }));
  }

  async unwatch(checkoutId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: watchKey(checkoutId) }));
  }

  async listOpen(page: { limit: number; cursor?: string }): Promise<Page<OpenEntry>> {
    let startKey: Record<string, string> | undefined;
    if (page.cursor !== undefined) {
      const sk = Buffer.from(page.cursor, 'base64url').toString('utf8');
      if (!/^(CHECKOUT|CREATION)#/.test(sk)) throw new InvalidRequestError('parameter_invalid', 'cursor is not one this listing returned', { param: 'cursor' });
      startKey = { pk: openPartition, sk };
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': openPartition },
        ConsistentRead: true,
        Limit: page.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items: OpenEntry[] = (result.Items ?? []).map((item) =>
      item['entity'] === 'creation_intent'
        ? { kind: 'creation', intent: creationIntentFrom(item) }
        : { kind: 'checkout', checkoutId: item['checkoutId'] as string },
    );
    const last = result.LastEvaluatedKey?.['sk'];
    return { items, nextCursor: typeof last === 'string' ? Buffer.from(last, 'utf8').toString('base64url') : null };
  }

  private list(indexName: string, prefix: string, partitionValue: string, page: PageRequest): Promise<Page<Checkout>> {
    return this.listIndex(indexName, prefix, partitionValue, page, fromItem);
  }
}

const watchItem = (checkoutId: string) => ({ ...watchKey(checkoutId), entity: 'watch', checkoutId });

/** Where the provider's id leads to ours; none before the provider has given one. */
function providerPointerItem(checkout: Checkout): Record<string, unknown> | undefined {
  if (!checkout.provider.checkoutId) return undefined;
  return { ...providerPointerKey(checkout.provider.name, checkout.provider.checkoutId), entity: 'provider_checkout', checkoutId: checkout.id };
}

const allCheckoutsPartition = 'CHECKOUTS';

function toItem(checkout: Checkout): Record<string, unknown> {
  const listingSortKey = `${checkout.createdAt}#${checkout.id}`;
  return {
    ...checkoutKey(checkout.id),
    entity: 'checkout',
    gsi1pk: `ACCOUNT#${checkout.accountId}`,
    gsi1sk: listingSortKey,
    gsi2pk: `PAYER#${checkout.payerSub}`,
    gsi2sk: listingSortKey,
    gsi3pk: `OWNER#${checkout.ownerSub}`,
    gsi3sk: listingSortKey,
    gsi4pk: allCheckoutsPartition,
    gsi4sk: listingSortKey,
    ...checkout,
  };
}

/** Only the checkout's own fields: keys and index attributes stay in the adapter. */
function fromItem(item: Record<string, unknown>): Checkout {
  const checkout: Checkout = {
    id: item['id'] as string,
    uniqueId: item['uniqueId'] as string,
    payerSub: item['payerSub'] as string,
    accountId: item['accountId'] as string,
    ownerSub: item['ownerSub'] as string,
    amount: item['amount'] as number,
    currency: item['currency'] as Checkout['currency'],
    shortDescription: item['shortDescription'] as string,
    type: item['type'] as Checkout['type'],
    fee: item['fee'] as Checkout['fee'],
    state: item['state'] as Checkout['state'],
    amountRefunded: item['amountRefunded'] as number,
    amountChargedBack: item['amountChargedBack'] as number,
    provider: item['provider'] as Checkout['provider'],
    providerUniqueId: item['providerUniqueId'] as string,
    // Items written before actions were recorded have neither list.
    actions: (item['actions'] as Checkout['actions'] | undefined) ?? [],
    changes: (item['changes'] as Checkout['changes'] | undefined) ?? [],
    createdAt: item['createdAt'] as string,
    updatedAt: item['updatedAt'] as string,
    version: item['version'] as number,
  };
  if (typeof item['referenceId'] === 'string') checkout.referenceId = item['referenceId'];
  if (typeof item['lastReadAt'] === 'string') checkout.lastReadAt = item['lastReadAt'];
  if (item['agent'] && typeof item['agent'] === 'object') checkout.agent = item['agent'] as Checkout['agent'] & object;
  return checkout;
}

function creationIntentFrom(item: Record<string, unknown>): CreationIntent {
  const text = (name: string) => item[name] as string;
  const intent: CreationIntent = {
    checkoutId: text('checkoutId'),
    uniqueId: text('uniqueId'),
    payerSub: text('payerSub'),
    accountId: text('accountId'),
    ownerSub: text('ownerSub'),
    providerAccountId: text('providerAccountId'),
    providerUniqueId: text('providerUniqueId'),
    createdAt: text('createdAt'),
    expiresAt: item['expiresAt'] as number,
  };
  if (typeof item['referenceId'] === 'string') intent.referenceId = item['referenceId'];
  if (item['mandate'] && typeof item['mandate'] === 'object') intent.mandate = item['mandate'] as CreationIntent['mandate'] & object;
  return intent;
}
