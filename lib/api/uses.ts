// What a function's `uses` (functions/routes.ts) stand for in this app: one grant
// per table, key, secret and queue it names. The webhook delivery queue is
// EventDelivery's (lib/constructs/event-delivery.ts).
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { auditTable, idempotencyTable, paymentsTable, type TableDefinition } from '#functions/adapters/dynamodb/table-definitions.ts';
import type { queueConsumers, RouteUse } from '#functions/routes.ts';
import type { Grant, KeyAccess } from '#lib/constructs/grants.ts';
import type { StatefulStack } from '#lib/stateful-stack.ts';

/**
 * The queues of this stack: those `queueConsumers` entries name (functions/routes.ts), and the
 * webhook delivery queue (`webhook-queue:send`), which EventDelivery's deliverer consumes.
 */
export type Queues = Record<(typeof queueConsumers)[number]['queue'], sqs.IQueue> & { webhookDeliveries: sqs.IQueue };

/** Where `event-bus:put` puts events: EventDelivery's bus. */
interface EventBusTarget {
  bus: events.IEventBus;
}

/** The grants a route's `uses` stand for: one per table, key, secret and queue it names. */
export function grantsFor(
  uses: readonly RouteUse[],
  stateful: Pick<StatefulStack, 'tables' | 'key' | 'platformSecret'>,
  queues: Queues,
  events?: EventBusTarget,
): Grant[] {
  const table = (definition: TableDefinition) => ({
    kind: 'table' as const,
    table: stateful.tables[definition.id]!,
    indexNames: definition.globalSecondaryIndexes.map((index) => index.indexName),
  });
  const has = (use: RouteUse) => uses.includes(use);
  const grants: Grant[] = [];
  if (has('payments:read-write')) grants.push({ ...table(paymentsTable), access: 'readWrite', env: 'PAYMENTS_TABLE_NAME' });
  else if (has('payments:read')) grants.push({ ...table(paymentsTable), access: 'read', env: 'PAYMENTS_TABLE_NAME' });
  if (has('idempotency')) grants.push({ ...table(idempotencyTable), access: 'readWrite', env: 'IDEMPOTENCY_TABLE_NAME' });
  const accessOf = (seal: RouteUse, open: RouteUse): KeyAccess | undefined =>
    has(seal) && has(open) ? 'sealAndUnseal' : has(seal) ? 'seal' : has(open) ? 'unseal' : undefined;
  const keyAccess = accessOf('token-key:encrypt', 'token-key:decrypt');
  if (keyAccess) grants.push({ kind: 'key', key: stateful.key, access: keyAccess, purpose: 'provider_access_token', env: 'TOKEN_KMS_KEY_ARN' });
  const secretAccess = accessOf('webhook-secret:seal', 'webhook-secret:open');
  if (secretAccess) grants.push({ kind: 'key', key: stateful.key, access: secretAccess, purpose: 'webhook_secret', env: 'TOKEN_KMS_KEY_ARN' });
  if (has('platform-secret')) grants.push({ kind: 'secret', secret: stateful.platformSecret, access: 'read', env: 'PLATFORM_SECRET_ID' });
  if (has('ipn-queue:send')) grants.push({ kind: 'queue', queue: queues.ipn, access: 'send', env: 'IPN_QUEUE_URL' });
  if (has('webhook-queue:send')) grants.push({ kind: 'queue', queue: queues.webhookDeliveries, access: 'send', env: 'WEBHOOK_QUEUE_URL' });
  if (has('event-bus:put')) {
    if (!events) throw new Error("'event-bus:put' needs the event bus");
    grants.push({ kind: 'bus', bus: events.bus, key: stateful.key, env: 'EVENT_BUS_NAME' });
  }
  if (has('audit:write')) grants.push({ ...table(auditTable), access: 'append', env: 'AUDIT_TABLE_NAME' });
  if (has('audit:read')) grants.push({ ...table(auditTable), access: 'read', env: 'AUDIT_TABLE_NAME' });
  return grants;
}
