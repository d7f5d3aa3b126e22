// Stored items (a stream image, or a write seen locally) back to domain objects:
// the items spread the object's own fields beside their keys and index attributes.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Mandate } from '#functions/domain/mandate.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import { fromItem as mandateFromItem } from './mandate-repository.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';

const storageAttributes = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'expires_at']);

const ownFields = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([key]) => !storageAttributes.has(key)));

export function checkoutFromItem(item: Record<string, unknown>): Checkout {
  const checkout = ownFields(item) as unknown as Checkout;
  // Items written before actions and changes were recorded have neither list.
  return { ...checkout, actions: checkout.actions ?? [], changes: checkout.changes ?? [] };
}

export function merchantAccountFromItem(item: Record<string, unknown>): MerchantAccount {
  return ownFields(item) as unknown as MerchantAccount;
}

/** What one stream record of the payments table means for events: a checkout write and the version it had before, or a new account. */
export type StreamChange =
  | { kind: 'checkout'; checkout: Checkout; previousVersion: number }
  | { kind: 'account_created'; account: MerchantAccount }
  /** `publishedUpTo`: 1 when the old image already existed, 2 when it was already revoked. */
  | { kind: 'mandate'; mandate: Mandate; publishedUpTo: number };

const image = (value: Record<string, unknown> | undefined) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);

export function streamChangeOf(record: DynamoDBRecord): StreamChange | undefined {
  const after = image(record.dynamodb?.NewImage);
  if (!after) return undefined;
  const before = image(record.dynamodb?.OldImage);
  if (after['entity'] === 'checkout') {
    return { kind: 'checkout', checkout: checkoutFromItem(after), previousVersion: typeof before?.['version'] === 'number' ? before['version'] : 0 };
  }
  if (after['entity'] === 'merchant_account' && !before) return { kind: 'account_created', account: merchantAccountFromItem(after) };
  if (after['entity'] === 'mandate') {
    return { kind: 'mandate', mandate: mandateFromItem(after), publishedUpTo: !before ? 0 : before['revokedAt'] === undefined ? 1 : 2 };
  }
  return undefined;
}

export { mandateFromItem };
