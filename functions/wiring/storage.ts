// Composition root, storage part: the DynamoDB clients and repositories, built once
// per process from the configuration. Read-only routes import only this.
import { config } from '#functions/config.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { DynamoDbMerchantRepository } from '#functions/adapters/dynamodb/merchant-repository.ts';
import { DynamoDbCheckoutRepository } from '#functions/adapters/dynamodb/checkout-repository.ts';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';
import { DynamoDbVelocityStore } from '#functions/adapters/dynamodb/velocity-store.ts';
import { DynamoDbMandateRepository } from '#functions/adapters/dynamodb/mandate-repository.ts';
import { DynamoDbReconciliationLease } from '#functions/adapters/dynamodb/reconciliation-lease.ts';
import type { IdempotencyDeps } from '#functions/app/idempotency.ts';
import { once } from './once.ts';

const dynamoDb = /* @__PURE__ */ once(() => {
  const cfg = config();
  return createDynamoDbClients({
    region: cfg.region,
    endpoint: cfg.tables.endpoint,
    // dynalite accepts any credentials; setting them keeps the SDK from searching the machine for real ones.
    ...(cfg.runtime === 'local' ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
});

export const paymentsTable = () => ({ client: dynamoDb().documentClient, tableName: config().tables.payments });
// Each part is built on its first use; `@__PURE__` lets esbuild drop the repositories a function
// never uses (the events publisher has no idempotency store, velocity store or lease).
export const merchantRepository = /* @__PURE__ */ once(() => new DynamoDbMerchantRepository(paymentsTable()));
export const checkoutRepository = /* @__PURE__ */ once(() => new DynamoDbCheckoutRepository(paymentsTable()));
export const reconciliationLease = /* @__PURE__ */ once(() => new DynamoDbReconciliationLease(paymentsTable()));
export const mandateRepository = /* @__PURE__ */ once(() => new DynamoDbMandateRepository(paymentsTable()));
export const velocityStore = /* @__PURE__ */ once(() => new DynamoDbVelocityStore(paymentsTable()));

export const idempotencyDeps = /* @__PURE__ */ once<IdempotencyDeps>(() => {
  const cfg = config();
  return {
    // A local endpoint is dynalite, which has no transactions.
    store: new DynamoDbIdempotencyStore({ client: dynamoDb().documentClient, tableName: cfg.tables.idempotency, transactions: cfg.tables.endpoint === undefined }),
    clock: systemClock,
    settings: cfg.idempotency,
  };
});
