// The tables, declared once: the CDK stateful stack and the local bootstrap
// (dynalite) both build their tables from these declarations. Pure data.

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export interface TableDefinition {
  /** Used for the CDK construct id and, locally, as the default table name. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Epoch-seconds attribute: TTL in AWS; code also checks it because dynalite has no TTL. */
  timeToLiveAttribute: string;
  globalSecondaryIndexes: IndexDefinition[];
  /** DynamoDB Streams (new and old images) in AWS, to publish state changes. */
  stream: boolean;
}

/** One record per (principal, unique_id): fingerprint, status, in-flight lock, stored response, expiry. */
export const idempotencyTable: TableDefinition = {
  id: 'idempotency',
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expiration',
  globalSecondaryIndexes: [],
  stream: false,
};

/**
 * Single-table design: merchants, accounts, checkouts, sealed tokens.
 * Checkout listings, each newest first: by-account (one account's), by-payer
 * (one payer's), by-owner (every account of one merchant user), by-created
 * (all of them, for ops; a single partition is fine at ~0.4 writes/s for 1M
 * checkouts a month).
 */
export const paymentsTable: TableDefinition = {
  id: 'payments',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expires_at',
  globalSecondaryIndexes: [
    { indexName: 'by-account', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } },
    { indexName: 'by-payer', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' } },
    { indexName: 'by-owner', partitionKey: { name: 'gsi3pk', type: 'S' }, sortKey: { name: 'gsi3sk', type: 'S' } },
    { indexName: 'by-created', partitionKey: { name: 'gsi4pk', type: 'S' }, sortKey: { name: 'gsi4sk', type: 'S' } },
  ],
  stream: true,
};

/**
 * The audit trail (functions/adapters/dynamodb/audit-log.ts): one item per record, keyed by
 * its id, written once (conditional put) and never updated or deleted. Its own table, so that
 * IAM can give every function PutItem alone on it. Sparse indexes list newest first (sort key
 * `at#id`): every record (one partition: a write is at most one audit record), one actor's,
 * one resource's, one action's. expires_at is set past the retention (more than 365 days).
 */
export const auditTable: TableDefinition = {
  id: 'audit',
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expires_at',
  globalSecondaryIndexes: [
    { indexName: 'by-time', partitionKey: { name: 'gsi_all', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
    { indexName: 'by-actor', partitionKey: { name: 'gsi_actor', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
    { indexName: 'by-resource', partitionKey: { name: 'gsi_resource', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
    { indexName: 'by-action', partitionKey: { name: 'gsi_action', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  ],
  stream: false,
};

export const tableDefinitions = [idempotencyTable, paymentsTable, auditTable] as const;
