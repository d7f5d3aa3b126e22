// Webhook endpoints in the payments table: one partition, pk WEBHOOK_ENDPOINTS,
//   endpoint: sk ENDPOINT#<id> (consistent reads; at most 16, so listings sort in code);
//   count:    sk COUNT, n = endpoints existing. A create first takes a place by a
//             conditional increment (n < 16), so concurrent creates cannot pass the
//             limit; a place left taken by a crashed create is given back when the
//             limit is hit and fewer endpoints exist than the count says.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { TableRepository } from '#functions/adapters/dynamodb/clients.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import { type WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import { EndpointLimitError, maxWebhookEndpoints, type SealedSecret, type WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';

const partition = 'WEBHOOK_ENDPOINTS';
const endpointKey = (id: string) => ({ pk: partition, sk: `ENDPOINT#${id}` });
const countKey = { pk: partition, sk: 'COUNT' };

export class DynamoDbWebhookEndpoints extends TableRepository implements WebhookEndpointRepository {
  async create(endpoint: WebhookEndpoint): Promise<void> {
    await this.takePlace();
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...endpointKey(endpoint.id), entity: 'webhook_endpoint', ...endpoint }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      await this.givePlaceBack();
      throw error;
    }
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: endpointKey(id), ConsistentRead: true }));
    return result.Item ? endpointFrom(result.Item) : undefined;
  }

  async all(): Promise<WebhookEndpoint[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': 'ENDPOINT#' },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(endpointFrom).sort((a, b) => (b.createdAt + b.id).localeCompare(a.createdAt + a.id));
  }

  async list(page: PageRequest): Promise<Page<WebhookEndpoint>> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 100) {
      throw new InvalidRequestError('parameter_invalid', 'limit must be an integer from 1 to 100', { param: 'limit' });
    }
    const all = await this.all();
    let start = 0;
    if (page.cursor !== undefined) {
      const after = Buffer.from(page.cursor, 'base64url').toString('utf8');
      const index = all.findIndex((e) => `${e.createdAt}#${e.id}` === after);
      // A cursor whose endpoint was deleted since still places the page by its sort key.
      start = index >= 0 ? index + 1 : all.findIndex((e) => `${e.createdAt}#${e.id}` < after);
      if (!/^\d{4}-\d\d-\d\dT[^#]+#we_[\w-]+$/.test(after)) throw new InvalidRequestError('parameter_invalid', 'cursor is not one this listing returned', { param: 'cursor' });
      if (start < 0) start = all.length;
    }
    const items = all.slice(start, start + page.limit);
    const last = items[items.length - 1];
    const nextCursor = start + page.limit < all.length && last ? Buffer.from(`${last.createdAt}#${last.id}`, 'utf8').toString('base64url') : null;
    return { items, nextCursor };
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: endpointKey(id), ReturnValues: 'ALL_OLD' }));
    if (!result.Attributes) return false;
    await this.givePlaceBack();
    return true;
  }

  async replaceSecrets(id: string, secrets: SealedSecret[]): Promise<boolean> {
    return this.conditionalUpdate(id, 'SET secrets = :secrets', { ':secrets': secrets });
  }

  async disable(id: string): Promise<void> {
    await this.conditionalUpdate(id, 'SET #status = :disabled', { ':disabled': 'disabled' }, { '#status': 'status' });
  }

  private async conditionalUpdate(id: string, expression: string, values: Record<string, unknown>, names?: Record<string, string>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: endpointKey(id),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async takePlace(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: countKey,
            UpdateExpression: 'ADD n :one',
            ConditionExpression: 'attribute_not_exists(n) OR n < :max',
            ExpressionAttributeValues: { ':one': 1, ':max': maxWebhookEndpoints },
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Full by the count: give back places a crashed create left taken, then try once more.
      const existing = (await this.all()).length;
      if (existing >= maxWebhookEndpoints) break;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: countKey,
            UpdateExpression: 'SET n = :existing',
            ConditionExpression: 'n = :max',
            ExpressionAttributeValues: { ':existing': existing, ':max': maxWebhookEndpoints },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new EndpointLimitError(`At most ${maxWebhookEndpoints} webhook endpoints`);
  }

  private async givePlaceBack(): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: countKey, UpdateExpression: 'ADD n :minus', ConditionExpression: 'n > :zero', ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function endpointFrom(item: Record<string, unknown>): WebhookEndpoint {
  return {
    id: item['id'] as string,
    url: item['url'] as string,
    events: item['events'] as WebhookEndpoint['events'],
    description: (item['description'] as string | null | undefined) ?? null,
    status: item['status'] as WebhookEndpoint['status'],
    secrets: item['secrets'] as SealedSecret[],
    createdAt: item['createdAt'] as string,
  };
}
