// The idempotency table on DynamoDB: every transition is one conditional write,
// which dynalite supports (it has no TTL, so expiry is also checked here in code;
// TTL only garbage-collects in AWS). begin() is one call in AWS whatever the outcome
// (the refusing record comes back with the refusal, as Powertools' idempotency does);
// dynalite lacks that, so locally a refusal is followed by one read. completeWith()
// is one transaction in AWS; dynalite has no transactions, so locally it declines
// (`transactions: false`) and the caller writes step by step.
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';
import type { BeginOutcome, IdempotencyStore, StoredResponse } from '#functions/ports/idempotency-store.ts';
import { logger } from '#functions/observability.ts';
import { idempotencyTable } from './table-definitions.ts';

interface IdempotencyItem {
  id: string;
  fingerprint: string;
  status: 'in_progress' | 'completed';
  lock_token?: string;
  /** Epoch ms. */
  lock_expires_at?: number;
  /** Epoch seconds: the TTL attribute. */
  [idempotencyTable.timeToLiveAttribute]: number;
  response?: StoredResponse;
}

const expiryAttribute = idempotencyTable.timeToLiveAttribute;

type TransactItems = NonNullable<TransactWriteCommand['input']['TransactItems']>;

export class DynamoDbIdempotencyStore implements IdempotencyStore {
  /** `transactions`: whether the endpoint has TransactWriteItems (DynamoDB does, dynalite does not). */
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string; transactions: boolean }) {}

  async begin(key: string, fingerprint: string, { now, lockMs, retentionSeconds }: { now: number; lockMs: number; retentionSeconds: number }): Promise<BeginOutcome> {
    const lockToken = randomUUID();
    const item: IdempotencyItem = {
      id: key,
      fingerprint,
      status: 'in_progress',
      lock_token: lockToken,
      lock_expires_at: now + lockMs,
      [expiryAttribute]: Math.floor(now / 1000) + retentionSeconds,
    };
    const nowSeconds = Math.floor(now / 1000);
    let existing: IdempotencyItem | undefined;
    try {
      const { Attributes } = await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          // An expired lock is taken over only by the same request: the crashed one may have
          // charged, so the key is used, and another body with it is still 422 (fingerprint_mismatch).
          ConditionExpression:
            'attribute_not_exists(id) OR #expires < :nowSeconds OR (#status = :inProgress AND lock_expires_at < :now AND fingerprint = :fingerprint)',
          ExpressionAttributeNames: { '#expires': expiryAttribute, '#status': 'status' },
          ExpressionAttributeValues: { ':nowSeconds': nowSeconds, ':inProgress': 'in_progress', ':now': now, ':fingerprint': fingerprint },
          // The record we replaced says whether this is a takeover (an earlier attempt may have acted)...
          ReturnValues: 'ALL_OLD',
          // ...and the one that refused us comes back with the refusal: a replay is this one call.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const replaced = Attributes as IdempotencyItem | undefined;
      return { kind: 'acquired', lockToken, resumed: replaced !== undefined && Number(replaced[expiryAttribute]) >= nowSeconds };
    } catch (error) {
      // The record is in a transaction that is storing another attempt's answer (completeWith): that
      // request is in flight for a moment more. The SDK does not retry this error on its own.
      if (error instanceof TransactionConflictException) return { kind: 'in_progress', lockExpiresAt: now + 1_000 };
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The exception carries the item in DynamoDB's wire format (the document client does not convert errors).
      if (error.Item) existing = unmarshall(error.Item) as IdempotencyItem;
    }
    // dynalite accepts ReturnValuesOnConditionCheckFailure but returns no item: read it (local runs only).
    existing ??= (await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { id: key }, ConsistentRead: true }))).Item as
      | IdempotencyItem
      | undefined;
    // Deleted or expired between our write and our read: try once more.
    if (!existing) return this.begin(key, fingerprint, { now, lockMs, retentionSeconds });
    if (existing.fingerprint !== fingerprint) return { kind: 'fingerprint_mismatch' };
    if (existing.status === 'completed' && existing.response) return { kind: 'completed', response: existing.response };
    return { kind: 'in_progress', lockExpiresAt: existing.lock_expires_at ?? now };
  }

  async complete(key: string, lockToken: string, response: StoredResponse, options: { now: number; retentionSeconds: number }): Promise<void> {
    try {
      await this.options.client.send(new UpdateCommand(this.completion(key, lockToken, response, options)));
    } catch (error) {
      // A retry took the expired lock over; it reaches the same provider checkout and completes the record.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async completeWith(
    key: string,
    lockToken: string,
    response: StoredResponse,
    options: { now: number; retentionSeconds: number },
    writes: readonly AtomicWrite[],
  ): Promise<boolean> {
    if (!this.options.transactions) return false;
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: this.completion(key, lockToken, response, options) }, ...(writes as unknown as TransactItems)],
          // The lock token is this attempt's alone: the SDK's own retry of a transaction that
          // committed but whose answer was lost then succeeds instead of failing on its conditions.
          ClientRequestToken: lockToken,
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // Whatever the reason (a condition: the lock taken over, the checkout stored already; a conflicting
      // write; throttling), nothing was written, and the caller's step-by-step writes settle it. The
      // reasons are codes only, never an item's values.
      logger.info('transaction cancelled; writing step by step', { reasons: (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'unknown') });
      return false;
    }
  }

  /** The record completed with its answer, if this request still holds the lock. */
  private completion(key: string, lockToken: string, response: StoredResponse, { now, retentionSeconds }: { now: number; retentionSeconds: number }) {
    return {
      TableName: this.options.tableName,
      Key: { id: key },
      UpdateExpression: 'SET #status = :completed, #response = :response, #expires = :expires REMOVE lock_token, lock_expires_at',
      ConditionExpression: 'lock_token = :lockToken',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response', '#expires': expiryAttribute },
      ExpressionAttributeValues: {
        ':completed': 'completed',
        ':response': response,
        ':expires': Math.floor(now / 1000) + retentionSeconds,
        ':lockToken': lockToken,
      },
    };
  }

  async abandon(key: string, lockToken: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { id: key },
          // An expired lock: begin() lets the same request (fingerprint) take it over at once.
          UpdateExpression: 'SET lock_expires_at = :expired REMOVE lock_token',
          ConditionExpression: 'lock_token = :lockToken',
          ExpressionAttributeValues: { ':expired': 0, ':lockToken': lockToken },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async release(key: string, lockToken: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { id: key },
          ConditionExpression: 'lock_token = :lockToken',
          ExpressionAttributeValues: { ':lockToken': lockToken },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
